/**
 * The operator on the test plane, at scale (`npm run bench:e2e`):
 *
 * 1. Baseline, on a fresh plane: the children the controller would write for N networks of 3
 *    nodes (Secret, headless Service, StatefulSet, built by the controller's own `desired*`
 *    functions) created by admin in one `kubectl create`, timed until the apiserver has accepted
 *    them all, and until all 3N pods are Ready.
 * 2. The controller, on another fresh plane: N BitcoinNetworks created in one `kubectl create`,
 *    timed until every network reports Ready with 3 ready nodes and every fake bitcoind holds
 *    its full mesh. Ratio = this time / the baseline.
 * 3. API requests per reconcile: the controller user's requests in the audit log over its
 *    reconcile passes (bitcoin_controller_syncs_total from its /metrics).
 * 4. Controller RSS after growing to M networks (the extra ones with fewer nodes, so that the
 *    pods fit the fake nodes' pod ranges): the median over 30 s once they have converged, and
 *    the peak while they were created and converged.
 *
 * The controller runs compiled (`tsc -p controller/tsconfig.build.json`, then
 * `node dist/controller/main.js`), as its image runs it; BENCH_CONTROLLER_TSX=1 runs the source
 * through tsx instead. It dials the fake bitcoinds at the pod IPs, as in a cluster: the run is
 * inside a network namespace of tools/netns (the npm script starts it there), where the pod
 * range is local.
 *
 * Env: BENCH_NETWORKS (200), BENCH_TOTAL_NETWORKS (1000), BENCH_EXTRA_NODES (1),
 * BENCH_SKIP_BASELINE=1 (phases 2-4 only), BENCH_CONTROLLER_NODE_OPTIONS (NODE_OPTIONS of the
 * controller instead of the chart's CONTROLLER_NODE_OPTIONS, e.g. `--max-old-space-size=100` to
 * see whether the live set fits a smaller heap).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { API_VERSION, BitcoinNetwork, GROUP, VERSION } from '../controller/api';
import { credentialsHash, generateCredentials } from '../controller/bitcoin/credentials';
import { desiredSecret } from '../controller/reconcile/desired/secret';
import { desiredService } from '../controller/reconcile/desired/service';
import { desiredStatefulSet } from '../controller/reconcile/desired/stateful-set';
import { randomBytes } from 'node:crypto';
import { CONTROLLER_NODE_OPTIONS } from '../k8s/bitcoin-operator-chart';
import { synthTarget } from '../k8s/synth';
import { loadProjectConfig } from '../config';
import { requireNetworkNamespace } from '../tools/netns/detect';
import { buildController, ControllerProcess } from '../tools/bitcoin/controller-process';
import { FakeBitcoind } from '../tools/bitcoin/fake-bitcoind';
import { kubectl } from '../tools/testplane/lib/kubectl';
import { sleep } from '../tools/testplane/lib/process';
import {
  CONTROLLER_NAMESPACE,
  CONTROLLER_SA,
  CONTROLLER_USER,
  PodTracker,
} from '../tools/bitcoin/operator-harness';
import { AdminApi } from '../tools/testplane/lib/admin-api';
import { TestPlane, POD_RANGE, startTestPlane } from '../tools/testplane/plane';

const NETWORKS = Number(process.env.BENCH_NETWORKS ?? 200);
const TOTAL_NETWORKS = Number(process.env.BENCH_TOTAL_NETWORKS ?? 1000);
const EXTRA_NODES = Number(process.env.BENCH_EXTRA_NODES ?? 1);
const SKIP_BASELINE = process.env.BENCH_SKIP_BASELINE === '1';
// By default the controller runs compiled, with plain node, as in its image.
const USE_TSX = process.env.BENCH_CONTROLLER_TSX === '1';
// The chart's NODE_OPTIONS unless the run says otherwise.
const NODE_OPTIONS = process.env.BENCH_CONTROLLER_NODE_OPTIONS ?? CONTROLLER_NODE_OPTIONS;
const NODES = 3;
const NS = 'bench';
// kwok gives each fake node a /24 of pod IPs: enough nodes for every pod of the run.
const FAKE_NODES = Math.ceil((NETWORKS * NODES + (TOTAL_NETWORKS - NETWORKS) * EXTRA_NODES) / 200);
const TIMEOUT_MS = 15 * 60_000;
const TARGET_RATIO = 2;
const TARGET_RSS_MB = 150;

const name = (i: number) => `net-${String(i).padStart(4, '0')}`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function network(i: number, nodes: number): BitcoinNetwork {
  return {
    apiVersion: API_VERSION,
    kind: 'BitcoinNetwork',
    metadata: { name: name(i), namespace: NS },
    spec: { nodes },
  };
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  controller?: ControllerProcess,
): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  while (!(await check().catch(() => false))) {
    if (controller && !controller.running()) {
      throw new Error(`${what}: the controller died; log tail:\n${controller.logTail(15)}`);
    }
    if (Date.now() > deadline) throw new Error(`${what}: not reached after ${TIMEOUT_MS / 1000} s`);
    await sleep(500);
  }
}

async function createAll(plane: TestPlane, items: unknown[]): Promise<void> {
  // Several smaller Lists keep each kubectl call's JSON reasonable; one process at a time, as
  // a single client would.
  for (let i = 0; i < items.length; i += 250) {
    const list = { apiVersion: 'v1', kind: 'List', items: items.slice(i, i + 250) };
    await kubectl(plane.kubeconfig, ['create', '-f', '-', '-o', 'name'], JSON.stringify(list));
  }
}

async function readyPods(admin: AdminApi): Promise<number> {
  const pods = await admin.get<{
    items: { status?: { conditions?: { type: string; status: string }[] } }[];
  }>(`/api/v1/namespaces/${NS}/pods`);
  return pods.items.filter((p) =>
    p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  ).length;
}

/** Phase 1: what the apiserver (plus scheduler, StatefulSet controller, kwok) takes alone. */
async function baseline(): Promise<{ acceptMs: number; readyMs: number }> {
  const plane = await startTestPlane({ nodes: FAKE_NODES });
  try {
    await kubectl(plane.kubeconfig, ['create', 'namespace', NS]);
    const admin = new AdminApi(plane.kubeconfig);
    const objects = Array.from({ length: NETWORKS }, (_, i) => {
      const net = network(i, NODES);
      net.metadata!.uid = `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`;
      const creds = generateCredentials(randomBytes);
      // No owner: the garbage collector would delete children of a network that does not exist.
      return [
        desiredSecret(net, creds),
        desiredService(net),
        desiredStatefulSet(net, {
          secretName: `${name(i)}-rpc`,
          rpcAuthSecretName: `${name(i)}-rpc`,
          hash: credentialsHash(creds),
        }),
      ].map((o) => ({ ...o, metadata: { ...o.metadata, ownerReferences: undefined } }));
    }).flat();
    const started = Date.now();
    await createAll(plane, objects);
    const acceptMs = Date.now() - started;
    await waitFor('baseline pods Ready', async () => (await readyPods(admin)) === NETWORKS * NODES);
    return { acceptMs, readyMs: Date.now() - started };
  } finally {
    await plane.stop();
  }
}

interface NetworkList {
  items: {
    metadata: { name: string; generation: number };
    spec: { nodes: number };
    status?: {
      observedGeneration?: number;
      readyNodes?: number;
      nodes?: { ip: string }[];
      conditions?: { type: string; status: string }[];
    };
  }[];
}

/** Every network Ready at its size, and every fake node holding exactly its peers. */
async function allConverged(admin: AdminApi, fake: FakeBitcoind, count: number) {
  const list = await admin.get<NetworkList>(
    `/apis/${GROUP}/${VERSION}/namespaces/${NS}/bitcoinnetworks`,
  );
  if (list.items.length !== count) return false;
  for (const net of list.items) {
    const s = net.status;
    if (s?.observedGeneration !== net.metadata.generation) return false;
    if (s.readyNodes !== net.spec.nodes) return false;
    if (!s.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return false;
    const ips = (s.nodes ?? []).map((n) => n.ip);
    for (const ip of ips) {
      const want = ips
        .filter((o) => o !== ip)
        .map((o) => `${o}:18444`)
        .sort();
      const have = fake.addedNodes(ip);
      if (!have || have.join(',') !== want.join(',')) return false;
    }
  }
  return true;
}

/** Samples a process's RSS every 250 ms. */
class RssSampler {
  private readonly samples: Array<{ at: number; mb: number }> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(read: () => number) {
    this.timer = setInterval(() => {
      try {
        this.samples.push({ at: Date.now(), mb: read() / 2 ** 20 });
      } catch {
        // the process is gone; waitFor reports that
      }
    }, 250);
  }

  /** Highest sample since `from`. */
  peak(from: number): number {
    return Math.max(...this.since(from));
  }

  /** Median of the samples since `from`: the settled figure, whenever the GC happened to run. */
  median(from: number): number {
    const mbs = this.since(from).sort((a, b) => a - b);
    return mbs[Math.floor(mbs.length / 2)];
  }

  private since(from: number): number[] {
    const mbs = this.samples.filter((s) => s.at >= from).map((s) => s.mb);
    if (mbs.length === 0) throw new Error('no RSS samples: the controller process was gone');
    return mbs;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

async function withController(): Promise<{
  convergeMs: number;
  requests: number;
  reconciles: number;
  idleRssMb: number;
  rssMb: number;
  peakRssMb: number;
  rssConvergedMs: number;
}> {
  const plane = await startTestPlane({ nodes: FAKE_NODES });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-e2e-'));
  const fake = new FakeBitcoind();
  const tracker = new PodTracker(plane, fake, 500);
  let controller: ControllerProcess | undefined;
  let sampler: RssSampler | undefined;
  try {
    const config = loadProjectConfig();
    const objects = synthTarget('local', config)
      .filter((c) => ['bitcoin-crd', 'bitcoin-operator'].includes(c.name))
      .flatMap((c) => c.objects)
      .filter((o) => o.kind !== 'Deployment');
    await kubectl(
      plane.kubeconfig,
      ['apply', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
    );
    await kubectl(plane.kubeconfig, [
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      `crd/bitcoinnetworks.${GROUP}`,
    ]);
    await kubectl(plane.kubeconfig, ['create', 'namespace', NS]);
    tracker.start();
    controller = new ControllerProcess({
      name: 'bench-controller',
      kubeconfig: await plane.serviceAccountKubeconfig(CONTROLLER_NAMESPACE, CONTROLLER_SA),
      logFile: path.join(dir, 'controller.log'),
      logLevel: 'warn',
      nodeOptions: NODE_OPTIONS,
      compiled: !USE_TSX,
    });
    await controller.start();
    const running = controller;
    sampler = new RssSampler(() => running.rssBytes());
    const idleRssMb = controller.rssBytes() / 2 ** 20;
    const admin = new AdminApi(plane.kubeconfig);

    const since = new Date().toISOString();
    const syncsBefore = await controller.metric('bitcoin_controller_syncs_total');
    const started = Date.now();
    await createAll(
      plane,
      Array.from({ length: NETWORKS }, (_, i) => network(i, NODES)),
    );
    await waitFor('networks converged', () => allConverged(admin, fake, NETWORKS), controller);
    const convergeMs = Date.now() - started;
    const reconciles = (await controller.metric('bitcoin_controller_syncs_total')) - syncsBefore;
    const requests = plane
      .auditEvents()
      .filter((e) => e.user.username === CONTROLLER_USER && e.requestReceivedTimestamp >= since)
      .filter((e) => e.verb !== 'watch').length;

    const grow = Date.now();
    await createAll(
      plane,
      Array.from({ length: TOTAL_NETWORKS - NETWORKS }, (_, i) =>
        network(NETWORKS + i, EXTRA_NODES),
      ),
    );
    await waitFor(
      'all networks converged',
      () => allConverged(admin, fake, TOTAL_NETWORKS),
      controller,
    );
    const rssConvergedMs = Date.now() - grow;
    const peakRssMb = sampler.peak(started);
    // Steady state with every network cached: the median over a window of one resync period
    // (30 s), so that the figure is neither a peak before a collection nor a trough after one.
    const settled = Date.now();
    await sleep(30_000);
    const rssMb = sampler.median(settled);
    return { convergeMs, requests, reconciles, idleRssMb, rssMb, peakRssMb, rssConvergedMs };
  } finally {
    sampler?.stop();
    await controller?.stop();
    await tracker.stop();
    await fake.close();
    await plane.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(
    `bench:e2e: ${NETWORKS} networks x ${NODES} nodes, then ${TOTAL_NETWORKS} networks ` +
      `(the extra ones with ${EXTRA_NODES} node(s)) on ${FAKE_NODES} kwok nodes`,
  );
  if (!USE_TSX) buildController();
  console.log(
    `controller: ${USE_TSX ? 'controller/main.ts through tsx' : 'dist/controller/main.js with plain node, as in the image'}`,
  );
  const base = SKIP_BASELINE ? { acceptMs: NaN, readyMs: NaN } : await baseline();
  console.log(
    `baseline: apiserver accepted ${NETWORKS * 3} child objects in ${seconds(base.acceptMs)}; ` +
      `all ${NETWORKS * NODES} pods Ready after ${seconds(base.readyMs)}`,
  );
  console.log(`controller NODE_OPTIONS=${NODE_OPTIONS}`);
  const run = await withController();
  const ratio = run.convergeMs / base.readyMs;
  const acceptRatio = run.convergeMs / base.acceptMs;
  const perReconcile = run.requests / run.reconciles;
  console.log(
    [
      `controller: ${NETWORKS} networks Ready and fully meshed after ${seconds(run.convergeMs)}`,
      `ratio to the baseline (children accepted and pods Ready): ${ratio.toFixed(2)}x (target <= ${TARGET_RATIO}x)`,
      `ratio to the apiserver accepting the children alone: ${acceptRatio.toFixed(2)}x`,
      `API requests by the controller: ${run.requests} over ${run.reconciles} reconciles = ${perReconcile.toFixed(2)} per reconcile`,
      `controller RSS idle (informers synced, no networks): ${run.idleRssMb.toFixed(0)} MB`,
      `controller RSS at ${TOTAL_NETWORKS} networks, median over 30 s once converged: ` +
        `${run.rssMb.toFixed(0)} MB (target <= ${TARGET_RSS_MB} MB); ` +
        `the extra ${TOTAL_NETWORKS - NETWORKS} converged in ${seconds(run.rssConvergedMs)}`,
      `controller RSS peak while creating and converging the networks: ${run.peakRssMb.toFixed(0)} MB`,
    ].join('\n'),
  );
  const misses = [
    ratio > TARGET_RATIO ? `ratio ${ratio.toFixed(2)}x > ${TARGET_RATIO}x` : '',
    run.rssMb > TARGET_RSS_MB ? `RSS ${run.rssMb.toFixed(0)} MB > ${TARGET_RSS_MB} MB` : '',
  ].filter(Boolean);
  if (misses.length > 0) {
    console.log(`MISSED TARGETS: ${misses.join('; ')}`);
    process.exitCode = 1;
  }
}

try {
  requireNetworkNamespace(POD_RANGE, '`npm run bench:e2e`');
} catch (err) {
  // One line before anything starts: a stack trace would add nothing.
  console.error(`bench:e2e: ${(err as Error).message}`);
  process.exit(1);
}
main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
