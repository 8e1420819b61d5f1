/**
 * The size of a `bench:e2e` run, from its environment, and the BitcoinNetworks it creates:
 * BENCH_NETWORKS (200) of 3 nodes, then BENCH_TOTAL_NETWORKS (1000) in all, the extra ones with
 * BENCH_EXTRA_NODES (1) node each.
 */
import { API_VERSION, BitcoinNetwork } from '../../controller/api';
import { kubectl } from '../../tools/testplane/lib/kubectl';
import type { TestPlane } from '../../tools/testplane/plane';

export const NETWORKS = Number(process.env.BENCH_NETWORKS ?? 200);
export const TOTAL_NETWORKS = Number(process.env.BENCH_TOTAL_NETWORKS ?? 1000);
export const EXTRA_NODES = Number(process.env.BENCH_EXTRA_NODES ?? 1);
export const NODES = 3;
export const NS = 'bench';
// kwok gives each fake node a /24 of pod IPs: enough nodes for every pod of the run.
export const FAKE_NODES = Math.ceil(
  (NETWORKS * NODES + (TOTAL_NETWORKS - NETWORKS) * EXTRA_NODES) / 200,
);

export const networkName = (i: number) => `net-${String(i).padStart(4, '0')}`;

export function network(i: number, nodes: number): BitcoinNetwork {
  return {
    apiVersion: API_VERSION,
    kind: 'BitcoinNetwork',
    metadata: { name: networkName(i), namespace: NS },
    spec: { nodes },
  };
}

export async function createAll(plane: TestPlane, items: unknown[]): Promise<void> {
  // Several smaller Lists keep each kubectl call's JSON reasonable; one process at a time, as
  // a single client would.
  for (let i = 0; i < items.length; i += 250) {
    const list = { apiVersion: 'v1', kind: 'List', items: items.slice(i, i + 250) };
    await kubectl(plane.kubeconfig, ['create', '-f', '-', '-o', 'name'], JSON.stringify(list));
  }
}
