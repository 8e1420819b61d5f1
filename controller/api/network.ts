/**
 * The BitcoinNetwork API: its group, kind and types, and the names and labels of its children.
 *
 * Everything here is a constant, a type or a pure function; nothing does I/O. The CRD chart in
 * `k8s/` and the controller both import from here so the names cannot drift apart.
 */
import type {
  KubernetesObject,
  V1ObjectMeta,
  V1OwnerReference,
  V1ResourceRequirements,
} from '@kubernetes/client-node';
import type { ChildKind } from './kinds';
import { CONTROLLER_NAME } from './operator';

export const GROUP = 'bitcoin.eksplatform.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'BitcoinNetwork';
export const PLURAL = 'bitcoinnetworks';
export const SINGULAR = 'bitcoinnetwork';
export const SHORT_NAME = 'btcnet';

/** Largest `spec.nodes` the CRD accepts. */
export const MAX_NODES = 50;
/** Bitcoin Core image used when `spec.image` is not set: pinned by exact version. */
export const DEFAULT_IMAGE = 'bitcoin/bitcoin:29.4';
/** uid and gid of the `bitcoin` user in the bitcoin/bitcoin image. */
export const BITCOIN_UID = 101;
export const RPC_PORT = 18443;
export const P2P_PORT = 18444;
export const RPC_PORT_NAME = 'rpc';
export const P2P_PORT_NAME = 'p2p';
export const DATA_DIR = '/data';
export const CONTAINER_NAME = 'bitcoind';

/** Keys of the RPC credentials Secret. */
export const SECRET_KEY_USERNAME = 'username';
export const SECRET_KEY_PASSWORD = 'password';
/** bitcoind's salted `user:salt$hmac` line; generated Secrets always carry it. */
export const SECRET_KEY_RPCAUTH = 'rpcauth';

export const MANAGED_BY = CONTROLLER_NAME;
export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_INSTANCE = 'app.kubernetes.io/instance';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_NETWORK = `${GROUP}/network`;
/** Label selector the controller's child informers use. */
export const CHILD_SELECTOR = `${LABEL_MANAGED_BY}=${MANAGED_BY}`;
/** Annotation holding the hash of the child spec the controller last wrote. */
export const ANNOTATION_SPEC_HASH = `${GROUP}/spec-hash`;
/**
 * Pod template annotation holding a hash of the RPC credentials in effect: new credentials change
 * the template, and so roll the pods, which read theirs only when they start.
 */
export const ANNOTATION_CREDENTIALS_HASH = `${GROUP}/credentials-hash`;

export const CONDITION_READY = 'Ready';
export const CONDITION_PROGRESSING = 'Progressing';
export const CONDITION_DEGRADED = 'Degraded';

export interface Quantities {
  readonly cpu?: string;
  readonly memory?: string;
}

export interface BitcoinNetworkResources {
  readonly requests?: Quantities;
  readonly limits?: Quantities;
}

export interface BitcoinNetworkStorage {
  /** Size of each node's volume, a Kubernetes quantity such as `1Gi`. */
  readonly size: string;
  /** @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
}

export interface BitcoinNetworkSpec {
  /** Number of bitcoind nodes, 0 to {@link MAX_NODES}. */
  readonly nodes: number;
  /** @default DEFAULT_IMAGE */
  readonly image?: string;
  /**
   * A Secret in the network's namespace with `username` and `password` keys.
   * @default - the controller generates `<name>-rpc`
   */
  readonly rpcSecretName?: string;
  readonly resources?: BitcoinNetworkResources;
  /** @default - ephemeral storage (emptyDir) */
  readonly storage?: BitcoinNetworkStorage;
}

export interface BitcoinNetworkNodeStatus {
  readonly ordinal: number;
  readonly ready: boolean;
  readonly ip: string;
  /** The Kubernetes node the pod runs on. */
  readonly nodeName: string;
  /** `<pod>.<name>-svc.<namespace>.svc.cluster.local` */
  readonly dnsName: string;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** metav1.Condition */
export interface Condition {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
  readonly observedGeneration?: number;
}

export interface BitcoinNetworkStatus {
  readonly observedGeneration?: number;
  readonly replicas?: number;
  readonly readyNodes?: number;
  /** Pod label selector, for the scale subresource. */
  readonly selector?: string;
  readonly nodes?: readonly BitcoinNetworkNodeStatus[];
  readonly conditions?: readonly Condition[];
}

export interface BitcoinNetwork extends KubernetesObject {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec: BitcoinNetworkSpec;
  status?: BitcoinNetworkStatus;
}

export const secretName = (network: string): string => `${network}-rpc`;
/**
 * The controller's Secret holding the `rpcauth` line the pods get when `spec.rpcSecretName` names
 * the user's Secret, which the controller never writes.
 */
export const rpcAuthSecretName = (network: string): string => `${network}-rpcauth`;
export const networkPolicyName = (network: string): string => `${network}-netpol`;
export const podDisruptionBudgetName = (network: string): string => `${network}-pdb`;
export const serviceName = (network: string): string => `${network}-svc`;
export const statefulSetName = (network: string): string => `${network}-sts`;
/** The name of each child of a network, by kind. */
export const CHILD_NAMES: { readonly [K in ChildKind]: (network: string) => string } = {
  StatefulSet: statefulSetName,
  Service: serviceName,
  Secret: secretName,
  NetworkPolicy: networkPolicyName,
  PodDisruptionBudget: podDisruptionBudgetName,
};
export const podName = (network: string, ordinal: number): string =>
  `${statefulSetName(network)}-${ordinal}`;
export const podDnsName = (network: string, namespace: string, ordinal: number): string =>
  `${podName(network, ordinal)}.${serviceName(network)}.${namespace}.svc.cluster.local`;

/** Labels on every child object and pod of a network. */
export function networkLabels(network: string): Record<string, string> {
  return {
    [LABEL_NAME]: 'bitcoind',
    [LABEL_INSTANCE]: network,
    [LABEL_MANAGED_BY]: MANAGED_BY,
    [LABEL_NETWORK]: network,
  };
}

/** The pod selector string of a network, as reported in `status.selector`. */
export function networkSelector(network: string): string {
  return Object.entries(networkLabels(network))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The ownerReference every child carries: controller and blockOwnerDeletion set. */
export function controllerRef(network: BitcoinNetwork): V1OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    name: network.metadata?.name ?? '',
    uid: network.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The compute resources `spec.resources` sets, each a request and a limit. */
export const COMPUTE_RESOURCES = ['cpu', 'memory'] as const;

/**
 * Requests and limits used where `spec.resources` leaves them out and the values it gives do not
 * decide them (see `resolveResources`).
 */
export const DEFAULT_RESOURCES: V1ResourceRequirements = {
  requests: { cpu: '100m', memory: '256Mi' },
  limits: { memory: '1Gi' },
};

/**
 * Size limit of each node's chain data without `spec.storage`, where it lives in an emptyDir on
 * the node's disk. Ample for regtest (an empty block is a few hundred bytes); a network that needs
 * more wants `spec.storage`.
 */
export const EPHEMERAL_DATA_SIZE = '1Gi';

/**
 * Node disk for a bitcoind container besides its data: its log (the kubelet keeps up to five
 * 10 MiB files by default). The root filesystem is read-only, so nothing else is written.
 */
export const CONTAINER_LOG_SIZE = '128Mi';
