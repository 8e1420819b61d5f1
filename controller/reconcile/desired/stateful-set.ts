/**
 * Pure builders of a network's children: the RPC Secret, the headless Service, the
 * StatefulSet, the NetworkPolicy and the PodDisruptionBudget. Same input, same output: nothing here reads a clock or a random source except
 * through its arguments.
 */
import { createHash, createHmac } from 'node:crypto';
import type {
  V1Container,
  V1EnvVar,
  V1PersistentVolumeClaim,
  V1PodDisruptionBudget,
  V1PodDisruptionBudgetSpec,
  V1ResourceRequirements,
  V1Secret,
  V1Service,
  V1StatefulSet,
  V1Volume,
} from '@kubernetes/client-node';
import {
  ANNOTATION_SPEC_HASH,
  BITCOIN_UID,
  BitcoinNetwork,
  CONTAINER_NAME,
  CONTROLLER_NAMESPACE,
  CONTROLLER_POD_LABELS,
  controllerRef,
  DATA_DIR,
  DEFAULT_IMAGE,
  DEFAULT_RESOURCES,
  LABEL_NETWORK,
  networkLabels,
  networkPolicyName,
  P2P_PORT,
  P2P_PORT_NAME,
  podDisruptionBudgetName,
  RPC_PORT,
  RPC_PORT_NAME,
  SECRET_KEY_PASSWORD,
  SECRET_KEY_RPCAUTH,
  SECRET_KEY_USERNAME,
  secretName,
  serviceName,
  statefulSetName,
} from './api';
import type { NetworkPolicy } from './kube';

export const DATA_VOLUME = 'data';
export const RPC_USER_ENV = 'RPC_USER';
export const RPC_PASSWORD_ENV = 'RPC_PASSWORD';
export const RPC_AUTH_ENV = 'RPC_AUTH';

/** RPC credentials of a network, decoded. */
export interface RpcCredentials {
  readonly username: string;
  readonly password: string;
  /** The `user:salt$hmac` value for `-rpcauth`. */
  readonly rpcauth: string;
}

/**
 * bitcoind's `-rpcauth` value for a user and password, as its `share/rpcauth` script makes it:
 * the HMAC-SHA256 of the password keyed with the hex salt string.
 */
export function rpcAuthLine(username: string, password: string, saltHex: string): string {
  const hmac = createHmac('sha256', Buffer.from(saltHex, 'utf8')).update(password, 'utf8');
  return `${username}:${saltHex}$${hmac.digest('hex')}`;
}

/**
 * Fresh credentials from a source of random bytes (injected, so tests are repeatable).
 */
export function generateCredentials(randomBytes: (n: number) => Buffer): RpcCredentials {
  const username = 'bitcoin';
  const password = randomBytes(32).toString('base64url');
  const salt = randomBytes(16).toString('hex');
  return { username, password, rpcauth: rpcAuthLine(username, password, salt) };
}

/**
 * The `-rpcauth` value for a user-named Secret without an `rpcauth` key. The salt is derived from
 * the network and Secret UIDs so that the StatefulSet does not change from one pass to the next.
 */
export function derivedRpcAuth(
  network: BitcoinNetwork,
  secretUid: string,
  creds: { username: string; password: string },
): string {
  const salt = createHash('sha256')
    .update(`${network.metadata?.uid ?? ''}/${secretUid}`)
    .digest('hex')
    .slice(0, 32);
  return rpcAuthLine(creds.username, creds.password, salt);
}

/** Hash of the parts of a child spec the controller owns, stored as an annotation. */
export function specHash(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex').slice(0, 16);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function childMeta(network: BitcoinNetwork, name: string) {
  return {
    name,
    namespace: network.metadata?.namespace,
    labels: networkLabels(network.metadata?.name ?? ''),
    ownerReferences: [controllerRef(network)],
  };
}

/** The generated Secret `<name>-rpc`. Immutable, so it is never rotated by accident. */
export function desiredSecret(network: BitcoinNetwork, creds: RpcCredentials): V1Secret {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: childMeta(network, secretName(network.metadata?.name ?? '')),
    type: 'Opaque',
    immutable: true,
    data: {
      [SECRET_KEY_USERNAME]: b64(creds.username),
      [SECRET_KEY_PASSWORD]: b64(creds.password),
      [SECRET_KEY_RPCAUTH]: b64(creds.rpcauth),
    },
  };
}

/** The spec fields of the Service that the controller owns. */
export function desiredServiceSpec(network: BitcoinNetwork) {
  return {
    clusterIP: 'None',
    // Peers and the readiness probe need DNS before a pod is ready.
    publishNotReadyAddresses: true,
    selector: networkLabels(network.metadata?.name ?? ''),
    ports: [
      { name: RPC_PORT_NAME, port: RPC_PORT, targetPort: RPC_PORT, protocol: 'TCP' },
      { name: P2P_PORT_NAME, port: P2P_PORT, targetPort: P2P_PORT, protocol: 'TCP' },
    ],
  };
}

/** The headless Service `<name>-svc`. */
export function desiredService(network: BitcoinNetwork): V1Service {
  const spec = desiredServiceSpec(network);
  const meta = childMeta(network, serviceName(network.metadata?.name ?? ''));
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { ...meta, annotations: { [ANNOTATION_SPEC_HASH]: specHash(spec) } },
    spec,
  };
}

/** Where the StatefulSet's pods get `-rpcauth` from. */
export type RpcAuthSource =
  /** The Secret has an `rpcauth` key. */
  | { readonly kind: 'secretKey'; readonly secretName: string }
  /** The Secret has only user and password: the controller computed the line. */
  | { readonly kind: 'value'; readonly secretName: string; readonly rpcauth: string };

function secretEnv(name: string, secret: string, key: string): V1EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secret, key } } };
}

/** `spec.resources` over the defaults, field by field. */
export function resolveResources(network: BitcoinNetwork): V1ResourceRequirements {
  const r = network.spec.resources;
  return {
    requests: { ...DEFAULT_RESOURCES.requests, ...stripUndefined(r?.requests) },
    limits: { ...DEFAULT_RESOURCES.limits, ...stripUndefined(r?.limits) },
  };
}

function stripUndefined(q?: { cpu?: string; memory?: string }): Record<string, string> {
  const out: Record<string, string> = {};
  if (q?.cpu !== undefined) out.cpu = q.cpu;
  if (q?.memory !== undefined) out.memory = q.memory;
  return out;
}

/** The bitcoind arguments: regtest, RPC on all interfaces, salted credentials from the env. */
export function bitcoindArgs(): string[] {
  return [
    '-regtest',
    '-server',
    '-listen',
    '-printtoconsole',
    `-datadir=${DATA_DIR}`,
    '-rpcbind=0.0.0.0',
    '-rpcallowip=0.0.0.0/0',
    `-rpcport=${RPC_PORT}`,
    `-port=${P2P_PORT}`,
    `-rpcauth=$(${RPC_AUTH_ENV})`,
    '-dnsseed=0',
  ];
}

/**
 * The readiness command: passes only when bitcoind answers RPC. The password goes through stdin,
 * not the command line.
 */
export function readinessCommand(): string[] {
  return [
    'sh',
    '-c',
    `printf '%s\\n' "$${RPC_PASSWORD_ENV}" | bitcoin-cli -regtest -datadir=${DATA_DIR} ` +
      `-rpcconnect=127.0.0.1 -rpcport=${RPC_PORT} -rpcuser="$${RPC_USER_ENV}" -stdinrpcpass ` +
      'getnetworkinfo > /dev/null',
  ];
}

/** The pod template and the rest of the StatefulSet spec, minus replicas. */
export function desiredPodTemplate(network: BitcoinNetwork, auth: RpcAuthSource) {
  const name = network.metadata?.name ?? '';
  const labels = networkLabels(name);
  const env: V1EnvVar[] = [
    secretEnv(RPC_USER_ENV, auth.secretName, SECRET_KEY_USERNAME),
    secretEnv(RPC_PASSWORD_ENV, auth.secretName, SECRET_KEY_PASSWORD),
    auth.kind === 'secretKey'
      ? secretEnv(RPC_AUTH_ENV, auth.secretName, SECRET_KEY_RPCAUTH)
      : { name: RPC_AUTH_ENV, value: auth.rpcauth },
  ];
  const container: V1Container = {
    name: CONTAINER_NAME,
    image: network.spec.image ?? DEFAULT_IMAGE,
    imagePullPolicy: 'IfNotPresent',
    // Run the binary directly: the image's entrypoint expects root to chown and drop privileges.
    command: ['bitcoind'],
    args: bitcoindArgs(),
    env,
    ports: [
      { name: RPC_PORT_NAME, containerPort: RPC_PORT, protocol: 'TCP' },
      { name: P2P_PORT_NAME, containerPort: P2P_PORT, protocol: 'TCP' },
    ],
    readinessProbe: {
      exec: { command: readinessCommand() },
      initialDelaySeconds: 5,
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 3,
      successThreshold: 1,
    },
    livenessProbe: {
      tcpSocket: { port: RPC_PORT_NAME },
      initialDelaySeconds: 30,
      periodSeconds: 20,
      timeoutSeconds: 5,
      failureThreshold: 6,
    },
    resources: resolveResources(network),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: BITCOIN_UID,
      runAsGroup: BITCOIN_UID,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: [{ name: DATA_VOLUME, mountPath: DATA_DIR }],
  };
  const volumes: V1Volume[] = network.spec.storage ? [] : [{ name: DATA_VOLUME, emptyDir: {} }];
  return {
    metadata: { labels },
    spec: {
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 30,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: BITCOIN_UID,
        runAsGroup: BITCOIN_UID,
        fsGroup: BITCOIN_UID,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [container],
      volumes,
    },
  };
}

function volumeClaimTemplates(network: BitcoinNetwork): V1PersistentVolumeClaim[] | undefined {
  const storage = network.spec.storage;
  if (!storage) return undefined;
  return [
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: DATA_VOLUME, labels: networkLabels(network.metadata?.name ?? '') },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: storage.storageClassName,
        resources: { requests: { storage: storage.size } },
      },
    },
  ];
}

/** The StatefulSet `<name>-sts`. Its spec-hash annotation covers the template only. */
export function desiredStatefulSet(network: BitcoinNetwork, auth: RpcAuthSource): V1StatefulSet {
  const name = network.metadata?.name ?? '';
  const template = desiredPodTemplate(network, auth);
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      ...childMeta(network, statefulSetName(name)),
      annotations: { [ANNOTATION_SPEC_HASH]: specHash(template) },
    },
    spec: {
      serviceName: serviceName(name),
      replicas: network.spec.nodes,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: networkLabels(name) },
      template,
      volumeClaimTemplates: volumeClaimTemplates(network),
    },
  };
}

/** The spec of `<name>-netpol`: RPC from the controller's pods only, P2P within the network only. */
export function desiredNetworkPolicySpec(
  network: BitcoinNetwork,
): NonNullable<NetworkPolicy['spec']> {
  const name = network.metadata?.name ?? '';
  return {
    podSelector: { matchLabels: networkLabels(name) },
    policyTypes: ['Ingress'],
    ingress: [
      {
        from: [
          {
            namespaceSelector: {
              matchLabels: { 'kubernetes.io/metadata.name': CONTROLLER_NAMESPACE },
            },
            podSelector: { matchLabels: { ...CONTROLLER_POD_LABELS } },
          },
        ],
        ports: [{ protocol: 'TCP', port: RPC_PORT }],
      },
      {
        from: [{ podSelector: { matchLabels: { [LABEL_NETWORK]: name } } }],
        ports: [{ protocol: 'TCP', port: P2P_PORT }],
      },
    ],
  };
}

/** The NetworkPolicy `<name>-netpol` selecting the network's pods. */
export function desiredNetworkPolicy(network: BitcoinNetwork): NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMeta(network, networkPolicyName(network.metadata?.name ?? '')),
    spec: desiredNetworkPolicySpec(network),
  };
}

/** The spec of `<name>-pdb`: voluntary disruptions take at most one node at a time. */
export function desiredPodDisruptionBudgetSpec(network: BitcoinNetwork): V1PodDisruptionBudgetSpec {
  return {
    maxUnavailable: 1,
    selector: { matchLabels: networkLabels(network.metadata?.name ?? '') },
  };
}

/** The PodDisruptionBudget `<name>-pdb` for the StatefulSet's pods. */
export function desiredPodDisruptionBudget(network: BitcoinNetwork): V1PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: childMeta(network, podDisruptionBudgetName(network.metadata?.name ?? '')),
    spec: desiredPodDisruptionBudgetSpec(network),
  };
}
