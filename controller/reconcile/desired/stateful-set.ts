/**
 * The StatefulSet `<name>-sts` of a network: bitcoind in regtest, hardened, with its RPC
 * credentials from the Secret and its data on a claim or an emptyDir.
 */
import type {
  V1Container,
  V1EnvVar,
  V1PersistentVolumeClaim,
  V1StatefulSet,
  V1StatefulSetPersistentVolumeClaimRetentionPolicy,
  V1Volume,
} from '@kubernetes/client-node';
import {
  ANNOTATION_CREDENTIALS_HASH,
  ANNOTATION_SPEC_HASH,
  apiVersionOf,
  BITCOIN_UID,
  BitcoinNetwork,
  CONTAINER_NAME,
  DATA_DIR,
  DEFAULT_IMAGE,
  EPHEMERAL_DATA_SIZE,
  networkLabels,
  P2P_PORT,
  P2P_PORT_NAME,
  RPC_PORT,
  RPC_PORT_NAME,
  SECRET_KEY_PASSWORD,
  SECRET_KEY_RPCAUTH,
  SECRET_KEY_USERNAME,
  serviceName,
  statefulSetName,
} from '../../api';
import { childMeta, specHash } from './meta';
import { resolveResources } from './resources';

export const DATA_VOLUME = 'data';
export const RPC_USER_ENV = 'RPC_USER';
export const RPC_PASSWORD_ENV = 'RPC_PASSWORD';
export const RPC_AUTH_ENV = 'RPC_AUTH';

/** Where the pods get their RPC credentials, and what identifies those credentials. */
export interface PodCredentials {
  /** The Secret with `username` and `password`: `<name>-rpc` or the user's. */
  readonly secretName: string;
  /** The Secret whose `rpcauth` key bitcoind gets: `<name>-rpc`, or `<name>-rpcauth`. */
  readonly rpcAuthSecretName: string;
  /** `credentialsHash` of the credentials in effect. */
  readonly hash: string;
}

function secretEnv(name: string, secret: string, key: string): V1EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secret, key } } };
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
export function desiredPodTemplate(network: BitcoinNetwork, auth: PodCredentials) {
  const name = network.metadata?.name ?? '';
  const labels = networkLabels(name);
  const env: V1EnvVar[] = [
    secretEnv(RPC_USER_ENV, auth.secretName, SECRET_KEY_USERNAME),
    secretEnv(RPC_PASSWORD_ENV, auth.secretName, SECRET_KEY_PASSWORD),
    secretEnv(RPC_AUTH_ENV, auth.rpcAuthSecretName, SECRET_KEY_RPCAUTH),
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
  const volumes: V1Volume[] = network.spec.storage
    ? []
    : [{ name: DATA_VOLUME, emptyDir: { sizeLimit: EPHEMERAL_DATA_SIZE } }];
  return {
    // Secret-backed variables are read when a container starts: new credentials need new pods.
    metadata: { labels, annotations: { [ANNOTATION_CREDENTIALS_HASH]: auth.hash } },
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

/**
 * What happens to the data claims: deleting the network deletes them (and their cloud volumes,
 * which would otherwise stay behind, billed); scaling down keeps them, so scaling back up
 * reattaches the same chain data. Set only with `spec.storage`: without claim templates it
 * would govern nothing.
 */
const CLAIM_RETENTION_POLICY: V1StatefulSetPersistentVolumeClaimRetentionPolicy = {
  whenDeleted: 'Delete',
  whenScaled: 'Retain',
};

/** The StatefulSet `<name>-sts`. Its spec-hash annotation covers the template only. */
export function desiredStatefulSet(network: BitcoinNetwork, auth: PodCredentials): V1StatefulSet {
  const name = network.metadata?.name ?? '';
  const template = desiredPodTemplate(network, auth);
  return {
    apiVersion: apiVersionOf('StatefulSet'),
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
      ...(network.spec.storage && { persistentVolumeClaimRetentionPolicy: CLAIM_RETENTION_POLICY }),
    },
  };
}
