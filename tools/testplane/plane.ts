/**
 * A real Kubernetes control plane on loopback for tests: etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler and kwok (fake nodes and kubelets).
 *
 * Library: `startTestPlane()` returns a handle with the admin kubeconfig and `stop()`.
 * CLI:     `tsx tools/testplane/cli.ts up|down` (npm run testplane:up / :down).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { missingBinaries } from './lib/binaries';
import { freePort } from './lib/process';
import { RUN_PREFIX, stopAbandonedPlanes } from './lib/run-state';
import { reservePodNet } from './pod-net';
import { Plane } from './running-plane';
import type { TestPlane } from './test-plane';
import { SKIP_ENV } from './skip';

export { WRITE_VERBS } from './lib/audit';
export { POD_RANGE } from './running-plane';
export type { AuditEvent } from './lib/audit';
export type { TestPlane } from './test-plane';

export interface PlaneOptions {
  /**
   * Fake nodes for kwok to run pods on, 1 to 255.
   * @default 3
   */
  readonly nodes?: number;
  /**
   * Keep running after this node process exits (`testplane:up`). Otherwise the next plane
   * started from this checkout stops it if its owner died without `stop()`.
   * @default false
   */
  readonly detached?: boolean;
}

export async function startTestPlane(options: PlaneOptions = {}): Promise<TestPlane> {
  const missing = missingBinaries();
  if (missing.length > 0) {
    throw new Error(
      `Test-plane binaries are not built (${missing.length} missing, e.g. ${missing[0]}).\n` +
        `Run \`npm run testplane:build\` (npm test does it first; slow once per machine), ` +
        `or set ${SKIP_ENV}=1 to skip the test-plane suites knowingly.`,
    );
  }
  const nodes = options.nodes ?? 3;
  // Node i gets pod range 10.N.i.0/24 and 10.N.255.x holds the node IPs.
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 255) {
    throw new Error(`nodes must be an integer between 1 and 255, got ${nodes}`);
  }
  await stopAbandonedPlanes();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), RUN_PREFIX));
  const podNet = await reservePodNet();
  const plane = new Plane(dir, await freePort(), nodes, options.detached ?? false, podNet);
  try {
    await plane.start();
  } catch (err) {
    await plane.stop();
    throw err;
  }
  return plane;
}
