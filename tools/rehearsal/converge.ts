/**
 * Whether the cluster converged after a deployment: every Deployment Available, and every
 * BitcoinNetwork Ready for its current generation with as many ready nodes as it asks for and
 * each node's added peers exactly the other nodes (the mesh complete).
 */
import type { BitcoinNetwork } from '../../controller/api/network';
import { API_VERSION, P2P_PORT, PLURAL } from '../../controller/api/network';
import { adminApiOf } from '../testplane/lib/admin-api';
import type { FakeBitcoind } from '../bitcoin/fake-bitcoind';
import type { Check } from './report';
import { untilNoneLeft } from './until-none-left';

interface DeploymentList {
  items: {
    metadata: { name: string; namespace: string };
    status?: { conditions?: { type: string; status: string }[] };
  }[];
}

/** Asks until `probe` finds no problems or `timeoutMs` passes; the check says what was left. */
async function settle(
  name: string,
  probe: () => Promise<string[]>,
  timeoutMs: number,
): Promise<Check> {
  const problems = await untilNoneLeft(
    () => probe().catch((err: Error) => [err.message]),
    timeoutMs,
  );
  return problems.length === 0
    ? { name, ok: true }
    : { name, ok: false, detail: problems.join('; ') };
}

export function deploymentsAvailable(kubeconfig: string, timeoutMs: number): Promise<Check> {
  const api = adminApiOf(kubeconfig);
  return settle(
    'every Deployment Available',
    async () => {
      const { items } = await api.get<DeploymentList>('/apis/apps/v1/deployments');
      return items
        .filter(
          (d) => !d.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True'),
        )
        .map((d) => `${d.metadata.namespace}/${d.metadata.name} not Available`);
    },
    timeoutMs,
  );
}

export function networksMeshed(
  kubeconfig: string,
  fake: FakeBitcoind,
  timeoutMs: number,
): Promise<Check> {
  const api = adminApiOf(kubeconfig);
  return settle(
    'every BitcoinNetwork Ready with its mesh complete',
    async () => {
      const { items } = await api.get<{ items: BitcoinNetwork[] }>(
        `/apis/${API_VERSION}/${PLURAL}`,
      );
      if (items.length === 0) return ['no BitcoinNetwork in the cluster'];
      return items.flatMap((network) => networkProblems(network, fake));
    },
    timeoutMs,
  );
}

function networkProblems(network: BitcoinNetwork, fake: FakeBitcoind): string[] {
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
    const want = ips
      .filter((other) => other !== ip)
      .map((other) => `${other}:${P2P_PORT}`)
      .sort();
    const added = [...(fake.addedNodes(ip) ?? [])].sort();
    return JSON.stringify(added) === JSON.stringify(want)
      ? []
      : [`${id} node ${ip} has peers [${added.join(', ')}], wants [${want.join(', ')}]`];
  });
}
