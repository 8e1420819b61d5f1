/**
 * What keeps a BitcoinNetwork from having converged, one line each: a status for an older
 * generation, Ready not True, fewer ready nodes than it asks for, a node with no fake bitcoind,
 * or a node whose added peers (as its fake bitcoind holds them) are not exactly the network's
 * other nodes.
 */
import type { BitcoinNetwork } from '../../controller/api/network';
import { P2P_PORT } from '../../controller/api/network';
import type { FakeBitcoind } from './fake-bitcoind';

export function networkProblems(
  network: BitcoinNetwork,
  fake: Pick<FakeBitcoind, 'addedNodes'>,
): string[] {
  const id = `${network.metadata?.namespace}/${network.metadata?.name}`;
  const status = network.status ?? {};
  const ready = status.conditions?.find((c) => c.type === 'Ready');
  if (status.observedGeneration !== network.metadata?.generation)
    return [`${id} status is for generation ${status.observedGeneration}`];
  if (ready?.status !== 'True')
    return [`${id} Ready=${ready?.status ?? 'unset'} (${ready?.message ?? ''})`];
  const nodes = status.nodes ?? [];
  if (nodes.length !== network.spec.nodes || nodes.some((n) => !n.ready)) {
    return [
      `${id} has ${nodes.filter((n) => n.ready).length} ready nodes of ${network.spec.nodes}`,
    ];
  }
  const ips = nodes.map((n) => n.ip);
  return ips.flatMap((ip) => {
    const added = fake.addedNodes(ip);
    // Even a node without peers has a bitcoind, which the controller asked for its peers.
    if (!added) return [`${id} node ${ip} has no bitcoind answering`];
    const want = ips
      .filter((other) => other !== ip)
      .map((other) => `${other}:${P2P_PORT}`)
      .sort();
    return JSON.stringify([...added].sort()) === JSON.stringify(want)
      ? []
      : [`${id} node ${ip} has peers [${added.join(', ')}], wants [${want.join(', ')}]`];
  });
}
