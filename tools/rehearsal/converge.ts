/**
 * Whether the cluster converged after a deployment: every Deployment Available, and every
 * BitcoinNetwork Ready for its current generation with as many ready nodes as it asks for and
 * each node's added peers exactly the other nodes (the mesh complete).
 */
import type { BitcoinNetwork } from '../../controller/api/network';
import { API_VERSION, PLURAL } from '../../controller/api/network';
import { adminApiOf } from '../testplane/lib/admin-api';
import type { FakeBitcoind } from '../bitcoin/fake-bitcoind';
import { networkProblems } from '../bitcoin/network-problems';
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
