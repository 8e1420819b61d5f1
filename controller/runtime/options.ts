/**
 * Command-line flags and environment variables of the controller process, parsed and validated.
 * A flag wins over its environment variable, which wins over the default. Errors name the flag.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_HEALTH_PORT, ENV, NAMESPACE_NAME, NAMESPACE_NAME_RULE } from '../api';

export interface ControllerProcessOptions {
  /** @default - in-cluster config when KUBERNETES_SERVICE_HOST is set, else $KUBECONFIG or ~/.kube/config */
  readonly kubeconfig?: string;
  /** @default 4 */
  readonly workers: number;
  /** @default 30 */
  readonly resyncSeconds: number;
  /** @default 5000 */
  readonly rpcTimeoutMs: number;
  /** JSON file mapping pods to RPC addresses. @default - the pod IP */
  readonly rpcAddressMap?: string;
  /**
   * With a map file, pods it does not list are an RPC error instead of being dialled at their
   * pod IP (tests whose network must stay on loopback). @default false
   */
  readonly rpcAddressMapStrict: boolean;
  /** Port of /healthz, /readyz and /metrics; 0 turns the server off. @default 8081 */
  readonly healthPort: number;
  /** @default '0.0.0.0' */
  readonly healthBind: string;
  /** @default 'info' */
  readonly logLevel: string;
  /**
   * Campaign for the leader Lease; only the leader reconciles.
   * @default - true in a pod (in-cluster config), false otherwise
   */
  readonly leaderElect: boolean;
  /**
   * Namespace of the leader Lease.
   * @default - $POD_NAMESPACE, else the service account's namespace (read in `main.ts`)
   */
  readonly leaderElectionNamespace?: string;
  /**
   * The namespaces whose networks and children it watches, each with informers of its own.
   * @default - empty: every namespace, through cluster-wide informers
   */
  readonly namespaces: readonly string[];
  readonly help: boolean;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export const USAGE = `Usage: bitcoin-controller [flags]

  --kubeconfig <file>        kubeconfig to use (default: in-cluster, else $KUBECONFIG or ~/.kube/config)
  --workers <n>              concurrent reconciles, 1-64 (env ${ENV.workers}, default 4)
  --resync-seconds <n>       re-check period of each network, 1-86400 (env ${ENV.resyncSeconds}, default 30)
  --rpc-timeout-ms <n>       deadline of one bitcoind RPC call (env ${ENV.rpcTimeoutMs}, default 5000)
  --rpc-address-map <file>   JSON {"<ns>/<pod>": "host:port"} overriding pod RPC addresses (env ${ENV.rpcAddressMap})
  --rpc-address-map-strict   pods missing from the map are an RPC error, never dialled at their pod IP
  --health-port <n>          port of /healthz, /readyz, /metrics; 0 = off (env ${ENV.healthPort}, default ${DEFAULT_HEALTH_PORT})
  --health-bind <addr>       address the health server binds (default 0.0.0.0)
  --log-level <level>        ${LOG_LEVELS.join('|')} (env ${ENV.logLevel}, default info)
  --leader-elect[=true|false]  campaign for the leader Lease; only the leader reconciles
                             (env ${ENV.leaderElect}, default true in a pod, false elsewhere)
  --leader-election-namespace <ns>  namespace of the Lease (default $${ENV.podNamespace}, else the
                             service account's namespace)
  --namespaces <ns,...>      watch only these namespaces (env ${ENV.namespaces}, default: every namespace)
  -h, --help                 print this help
`;

function intOption(
  flag: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new Error(
      `--${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return Number(raw);
}

/** A comma-separated list of distinct namespace names; empty means every namespace. */
function namespacesOption(raw: string | undefined): string[] {
  const names = (raw ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const bad = names.find((n, i) => !NAMESPACE_NAME.test(n) || names.indexOf(n) !== i);
  if (bad !== undefined) {
    throw new Error(
      `--namespaces must be a comma-separated list of distinct ${NAMESPACE_NAME_RULE}, got ${JSON.stringify(raw)}`,
    );
  }
  return names;
}

function boolOption(flag: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new Error(`--${flag} must be true or false, got ${JSON.stringify(raw)}`);
}

/** `--leader-elect` alone means `--leader-elect=true`; `--leader-elect false` is also accepted. */
function normaliseBooleanFlags(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== '--leader-elect') {
      out.push(argv[i]);
    } else if (argv[i + 1] === 'true' || argv[i + 1] === 'false') {
      out.push(`--leader-elect=${argv[++i]}`);
    } else {
      out.push('--leader-elect=true');
    }
  }
  return out;
}

export function parseOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ControllerProcessOptions {
  const { values } = parseArgs({
    args: normaliseBooleanFlags(argv),
    options: {
      kubeconfig: { type: 'string' },
      workers: { type: 'string' },
      'resync-seconds': { type: 'string' },
      'rpc-timeout-ms': { type: 'string' },
      'rpc-address-map': { type: 'string' },
      'rpc-address-map-strict': { type: 'boolean' },
      'health-port': { type: 'string' },
      'health-bind': { type: 'string' },
      'log-level': { type: 'string' },
      'leader-elect': { type: 'string' },
      'leader-election-namespace': { type: 'string' },
      namespaces: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  const logLevel = values['log-level'] ?? env[ENV.logLevel] ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new Error(
      `--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`,
    );
  }
  const kubeconfig = values.kubeconfig;
  if (kubeconfig === '') throw new Error('--kubeconfig must not be empty');
  const rpcAddressMap = values['rpc-address-map'] ?? env[ENV.rpcAddressMap];
  const rpcAddressMapStrict = values['rpc-address-map-strict'] ?? false;
  if (rpcAddressMapStrict && !rpcAddressMap) {
    throw new Error('--rpc-address-map-strict needs --rpc-address-map');
  }
  // In a pod the controller may run as one of several replicas; elsewhere it usually runs alone.
  const inCluster = kubeconfig === undefined && !!env.KUBERNETES_SERVICE_HOST;
  const leaderElectionNamespace =
    values['leader-election-namespace'] ?? env[ENV.podNamespace] ?? undefined;
  if (leaderElectionNamespace === '') {
    throw new Error('--leader-election-namespace must not be empty');
  }
  return {
    kubeconfig,
    workers: intOption('workers', values.workers ?? env[ENV.workers], 4, 1, 64),
    resyncSeconds: intOption(
      'resync-seconds',
      values['resync-seconds'] ?? env[ENV.resyncSeconds],
      30,
      1,
      86_400,
    ),
    rpcTimeoutMs: intOption(
      'rpc-timeout-ms',
      values['rpc-timeout-ms'] ?? env[ENV.rpcTimeoutMs],
      5000,
      1,
      600_000,
    ),
    rpcAddressMap: rpcAddressMap === '' ? undefined : rpcAddressMap,
    rpcAddressMapStrict,
    healthPort: intOption(
      'health-port',
      values['health-port'] ?? env[ENV.healthPort],
      DEFAULT_HEALTH_PORT,
      0,
      65_535,
    ),
    healthBind: values['health-bind'] ?? '0.0.0.0',
    logLevel,
    leaderElect: boolOption(
      'leader-elect',
      values['leader-elect'] ?? env[ENV.leaderElect],
      inCluster,
    ),
    leaderElectionNamespace,
    namespaces: namespacesOption(values.namespaces ?? env[ENV.namespaces]),
    help: values.help ?? false,
  };
}
