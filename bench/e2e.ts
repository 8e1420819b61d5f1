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
import { CONTROLLER_NODE_OPTIONS } from '../k8s/bitcoin-operator-chart';
import { buildController } from '../tools/bitcoin/controller-process';
import { runOnTestPlane } from './on-test-plane';
import { baseline } from './e2e/baseline';
import { EXTRA_NODES, FAKE_NODES, NETWORKS, NODES, TOTAL_NETWORKS } from './e2e/scale';
import { withController } from './e2e/with-controller';

const SKIP_BASELINE = process.env.BENCH_SKIP_BASELINE === '1';
// By default the controller runs compiled, with plain node, as in its image.
const USE_TSX = process.env.BENCH_CONTROLLER_TSX === '1';
// The chart's NODE_OPTIONS unless the run says otherwise.
const NODE_OPTIONS = process.env.BENCH_CONTROLLER_NODE_OPTIONS ?? CONTROLLER_NODE_OPTIONS;
const TARGET_RATIO = 2;
const TARGET_RSS_MB = 150;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

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
  const run = await withController({ nodeOptions: NODE_OPTIONS, compiled: !USE_TSX });
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

runOnTestPlane('bench:e2e', main);
