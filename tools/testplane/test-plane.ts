import type { AuditEvent } from './lib/audit';

/** A running test plane, as `startTestPlane` returns it. */
export interface TestPlane {
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
  /**
   * Starts kube-apiserver again on the same port and waits until it is ready, then restarts
   * kube-scheduler, which was seen not to schedule new pods after an apiserver restart.
   */
  startApiserver(): Promise<void>;
  stop(): Promise<void>;
}
