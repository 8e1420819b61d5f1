/**
 * The operator's contract with the charts that deploy it: names, labels, the Lease, the
 * environment variables the process reads, its health port and the user it runs as. The operator
 * chart and the controller both import these, so a rename on one side cannot break the other.
 */

/** The controller's name: its namespace, Deployment, ServiceAccount, RBAC and logs use it. */
export const CONTROLLER_NAME = 'bitcoin-controller';
/** `app.kubernetes.io/part-of` of everything the operator ships. */
export const PART_OF_OPERATOR = 'bitcoin-operator';
/** Namespace the controller runs in (the operator chart creates it). */
export const CONTROLLER_NAMESPACE = CONTROLLER_NAME;
/** Labels of the controller's pods; the per-network NetworkPolicy admits RPC from them only. */
export const CONTROLLER_POD_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/name': CONTROLLER_NAME,
  'app.kubernetes.io/component': 'controller',
  'app.kubernetes.io/part-of': PART_OF_OPERATOR,
};

/** Name of the controller's leader-election Lease. */
export const LEASE_NAME = 'bitcoin-controller-leader';

/** Environment variables the controller process reads (a flag of the same meaning wins). */
export const ENV = {
  workers: 'BITCOIN_CONTROLLER_WORKERS',
  resyncSeconds: 'BITCOIN_CONTROLLER_RESYNC_SECONDS',
  rpcTimeoutMs: 'BITCOIN_CONTROLLER_RPC_TIMEOUT_MS',
  rpcAddressMap: 'BITCOIN_CONTROLLER_RPC_ADDRESS_MAP',
  healthPort: 'BITCOIN_CONTROLLER_HEALTH_PORT',
  logLevel: 'LOG_LEVEL',
  leaderElect: 'BITCOIN_CONTROLLER_LEADER_ELECT',
  namespaces: 'BITCOIN_CONTROLLER_NAMESPACES',
  podName: 'POD_NAME',
  podNamespace: 'POD_NAMESPACE',
} as const;

/** Port of `/healthz`, `/readyz` and `/metrics`; the chart's probes use it too. */
export const DEFAULT_HEALTH_PORT = 8081;

/**
 * Numeric user and group the controller runs as; the Dockerfile's `USER` is the same. High enough
 * (≥ 10000) not to collide with any user of the node's host system.
 */
export const CONTROLLER_UID = 10001;

/**
 * A namespace name: an RFC 1123 label of at most 63 characters. The config key
 * `controllerNamespaces` and the controller's `--namespaces` flag both hold their names to it.
 */
export const NAMESPACE_NAME = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const NAMESPACE_NAME_RULE =
  'namespace names (lowercase RFC 1123 labels of at most 63 characters)';
