/**
 * Controller benchmark against the recording fake API and fake bitcoind (no cluster, no network):
 * reconciles per second, API calls per reconcile for creation and for steady state, and heap
 * after 1000 networks. Prints figures; asserts nothing.
 *
 *   npm run bench:controller [-- --networks 1000 --nodes 3 --workers 4 --passes 5]
 */
import { parseArgs } from 'node:util';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import pino from 'pino';
import { API_VERSION, KIND } from '../controller/api';
import { BitcoinNetworkController } from '../controller/runtime/controller';
import { FakeKube } from '../controller/testing/kube';
import { FakeBitcoinRpc } from '../controller/testing/rpc';
import { ItemExponentialRateLimiter, WorkQueue } from '../controller/runtime/queue';

function forceGc(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  return () => {
    gc?.();
    gc?.();
  };
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      networks: { type: 'string', default: '1000' },
      nodes: { type: 'string', default: '3' },
      workers: { type: 'string', default: '4' },
      passes: { type: 'string', default: '5' },
      namespaces: { type: 'string', default: '20' },
    },
  });
  const networks = Number(values.networks);
  const nodes = Number(values.nodes);
  const workers = Number(values.workers);
  const passes = Number(values.passes);
  const namespaces = Number(values.namespaces);
  const gc = forceGc();

  gc();
  const heapBefore = process.memoryUsage().heapUsed;

  const kube = new FakeKube();
  const rpc = new FakeBitcoinRpc();
  const queue = new WorkQueue({ rateLimiter: new ItemExponentialRateLimiter(5, 300_000) });
  const controller = new BitcoinNetworkController({
    api: kube,
    listers: kube,
    rpc,
    logger: pino({ level: 'silent' }),
    queue,
    resyncMs: 3_600_000,
  });
  const keys: string[] = [];
  for (let i = 0; i < networks; i++) {
    const ns = `bench-${i % namespaces}`;
    const name = `net-${i}`;
    kube.seed('bitcoinnetworks', {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { name, namespace: ns, generation: 1 },
      spec: { nodes },
    });
    keys.push(`${ns}/${name}`);
  }

  /** Run every key through the queue and `workers` workers; returns seconds. */
  const pass = async (): Promise<number> => {
    const t0 = process.hrtime.bigint();
    for (const k of keys) queue.add(k);
    await queue.whenIdle();
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  controller.start(workers);

  // 1. Creation: Secret, Service, StatefulSet, Events, status.
  kube.clearCalls();
  const tCreate = await pass();
  const createCalls = kube.calls.length;
  const createWrites = kube.writes().length;

  // 2. Pods come up; the next pass writes status and builds the mesh.
  kube.runStatefulSets({ ready: true });
  kube.clearCalls();
  rpc.calls.length = 0;
  const tMesh = await pass();
  const meshCalls = kube.calls.length;
  const meshRpc = rpc.calls.length;

  // 3. Steady state, several passes.
  kube.clearCalls();
  rpc.calls.length = 0;
  let tSteady = 0;
  for (let p = 0; p < passes; p++) tSteady += await pass();
  const steadyReconciles = networks * passes;
  const steadyCalls = kube.calls.length;
  const steadyWrites = kube.writes().length;
  const steadyRpc = rpc.calls.length;

  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  await controller.shutdown();

  const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en-US')}/s`;
  const per = (n: number) => (n / networks).toFixed(2);
  const rows: Array<[string, string]> = [
    ['networks x nodes', `${networks} x ${nodes} in ${namespaces} namespaces, ${workers} workers`],
    ['creation pass', `${tCreate.toFixed(2)} s, ${rate(networks, tCreate)} reconciles`],
    ['  API calls per reconcile', `${per(createCalls)} (writes ${per(createWrites)})`],
    ['first ready pass (status + mesh)', `${tMesh.toFixed(2)} s, ${rate(networks, tMesh)}`],
    ['  API calls per reconcile', `${per(meshCalls)}`],
    ['  RPC calls per reconcile', `${per(meshRpc)}`],
    [
      `steady state (${passes} passes)`,
      `${tSteady.toFixed(2)} s, ${rate(steadyReconciles, tSteady)} reconciles`,
    ],
    [
      '  API calls per reconcile',
      `${(steadyCalls / steadyReconciles).toFixed(2)} (writes ${(steadyWrites / steadyReconciles).toFixed(2)})`,
    ],
    ['  RPC calls per reconcile', `${(steadyRpc / steadyReconciles).toFixed(2)} (read-only)`],
    [
      `heap after ${networks} networks`,
      `${mib(heapAfter)} (+${mib(heapAfter - heapBefore)}, fake API store included)`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write('bitcoin-controller benchmark (fake API, fake bitcoind)\n');
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
