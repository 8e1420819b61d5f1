/**
 * Phases 2 to 4 of `bench:e2e`, on a plane of their own: the controller converging the networks,
 * its API requests per reconcile, and its RSS as the networks grow to the total.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BitcoinNetwork, GROUP, PLURAL, VERSION } from '../../controller/api';
import { loadProjectConfig } from '../../config';
import { synthTarget } from '../../k8s/synth';
import { ControllerProcess } from '../../tools/bitcoin/controller-process';
import { FakeBitcoind } from '../../tools/bitcoin/fake-bitcoind';
import { networkProblems } from '../../tools/bitcoin/network-problems';
import {
  CONTROLLER_NAMESPACE,
  CONTROLLER_SA,
  CONTROLLER_USER,
  PodTracker,
} from '../../tools/bitcoin/operator-harness';
import { AdminApi } from '../../tools/testplane/lib/admin-api';
import { kubectl } from '../../tools/testplane/lib/kubectl';
import { sleep } from '../../tools/testplane/lib/process';
import { startTestPlane } from '../../tools/testplane/plane';
import { RssSampler } from './rss-sampler';
import {
  createAll,
  EXTRA_NODES,
  FAKE_NODES,
  network,
  NETWORKS,
  NODES,
  NS,
  TOTAL_NETWORKS,
} from './scale';
import { waitFor } from './wait-for';

export interface ControllerRun {
  readonly convergeMs: number;
  readonly requests: number;
  readonly reconciles: number;
  readonly idleRssMb: number;
  readonly rssMb: number;
  readonly peakRssMb: number;
  readonly rssConvergedMs: number;
}

/** Every one of `count` networks converged, by the rehearsal's own measure. */
async function allConverged(admin: AdminApi, fake: FakeBitcoind, count: number) {
  const { items } = await admin.get<{ items: BitcoinNetwork[] }>(
    `/apis/${GROUP}/${VERSION}/namespaces/${NS}/${PLURAL}`,
  );
  return items.length === count && items.every((net) => networkProblems(net, fake).length === 0);
}

export async function withController(options: {
  readonly nodeOptions: string;
  readonly compiled: boolean;
}): Promise<ControllerRun> {
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
      `crd/${PLURAL}.${GROUP}`,
    ]);
    await kubectl(plane.kubeconfig, ['create', 'namespace', NS]);
    tracker.start();
    controller = new ControllerProcess({
      name: 'bench-controller',
      kubeconfig: await plane.serviceAccountKubeconfig(CONTROLLER_NAMESPACE, CONTROLLER_SA),
      logFile: path.join(dir, 'controller.log'),
      logLevel: 'warn',
      nodeOptions: options.nodeOptions,
      compiled: options.compiled,
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
