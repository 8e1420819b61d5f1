/**
 * A real Kubernetes control plane on loopback for tests: etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler and kwok (fake nodes and kubelets).
 *
 * Library: `startControlPlane()` returns a handle with the admin kubeconfig and `stop()`.
 * CLI:     `tsx tools/testplane/cli.ts up|down` (npm run controlplane:up / :down).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AuditEvent } from './lib/audit';
import { missingBinaries } from './lib/binaries';
import { freePort } from './lib/process';
import { RUN_PREFIX, stopAbandonedPlanes } from './lib/run-state';
import { reservePodNet } from './pod-net';
import { Plane } from './running-plane';
import { SKIP_ENV } from './skip';

export { WRITE_VERBS } from './lib/audit';
export { POD_RANGE } from './running-plane';
export type { AuditEvent } from './lib/audit';

export interface PlaneOptions {
  /**
   * Fake nodes for kwok to run pods on, 1 to 255.
   * @default 3
   */
  readonly nodes?: number;
  /**
   * Keep running after this node process exits (`controlplane:up`). Otherwise the next plane
   * started from this checkout stops it if its owner died without `stop()`.
   * @default false
   */
  readonly detached?: boolean;
}

export interface ControlPlane {
  /** Temporary directory holding everything of this run; removed by `stop()`. */
  readonly dir: string;
  /** Admin kubeconfig (user `kubernetes-admin`, group `system:masters`). */
  readonly kubeconfig: string;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  readonly caCert: string;
  /**
   * kwok hands out pod IPs from this `10.N.0.0/16` range, inside `POD_RANGE`. They answer only
   * inside a network namespace of tools/netns, where the whole range is local.
   */
  readonly podCidr: string;
  readonly nodeNames: readonly string[];
  /** JSON-lines audit log of every request the apiserver answered. */
  readonly auditLog: string;
  auditEvents(): AuditEvent[];
  /**
   * A kubeconfig that authenticates as an existing ServiceAccount (by a TokenRequest token),
   * so that a process run with it gets exactly that account's RBAC rights.
   */
  serviceAccountKubeconfig(namespace: string, name: string): Promise<string>;
  /**
   * Stops kube-apiserver only (SIGTERM, SIGKILL after 3 s); the other components keep running
   * and retry.
   */
  stopApiserver(): Promise<void>;
  /** Starts kube-apiserver again on the same port and waits until it is ready. */
  startApiserver(): Promise<void>;
  stop(): Promise<void>;
}

export async function startControlPlane(options: PlaneOptions = {}): Promise<ControlPlane> {
  const missing = missingBinaries();
  if (missing.length > 0) {
    throw new Error(
      `Control-plane binaries are not built (${missing.length} missing, e.g. ${missing[0]}).\n` +
        `Run \`npm run controlplane:build\` (npm test does it first; slow once per machine), ` +
        `or set ${SKIP_ENV}=1 to skip the control-plane test suites knowingly.`,
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
