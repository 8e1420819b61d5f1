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

/** A CPU and a memory quantity for each bitcoind container: its requests, or its limits. */
export interface Quantities {
  /**
   * CPU, a Kubernetes quantity such as `250m` or `1`.
   * @default - as a request, the CPU limit given, else the request of {@link DEFAULT_RESOURCES};
   * as a limit, none, since that table has no CPU limit
   */
  readonly cpu?: string;
  /**
   * Memory, a Kubernetes quantity such as `512Mi`.
   * @default - as a request, the memory limit given, else the request of
   * {@link DEFAULT_RESOURCES}; as a limit, that table's limit, raised to a larger request given
   */
  readonly memory?: string;
}

/**
 * The compute resources of each node's bitcoind container. Defaults fill in only what the values
 * given leave open, the way Kubernetes defaults a container.
 * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
 */
export interface BitcoinNetworkResources {
  /**
   * What the scheduler sets aside for the container.
   * @default - the limits given, else the requests of {@link DEFAULT_RESOURCES}
   */
  readonly requests?: Quantities;
  /**
   * The most the container may use.
   * @default - the limits of {@link DEFAULT_RESOURCES}, raised to a larger request given
   */
  readonly limits?: Quantities;
}

/**
 * A PersistentVolumeClaim per node for its chain data, which then outlives its pod. Immutable
 * once the network exists: it becomes the StatefulSet's `volumeClaimTemplates`.
 */
export interface BitcoinNetworkStorage {
  /** Size of each node's volume, a Kubernetes quantity such as `1Gi`. */
  readonly size: string;
  /**
   * The StorageClass that provisions the volumes.
   * @default - the cluster's default StorageClass
   * @see https://kubernetes.io/docs/concepts/storage/storage-classes/
   */
  readonly storageClassName?: string;
}

/**
 * What the user asks of a network; the controller makes the children that run it.
 * @see docs/bitcoin-network-api.md
 */
export interface BitcoinNetworkSpec {
  /** Number of bitcoind nodes, 0 to {@link MAX_NODES}. */
  readonly nodes: number;
  /**
   * The Bitcoin Core image every node runs.
   * @default DEFAULT_IMAGE
   */
  readonly image?: string;
  /**
   * A Secret in the network's namespace with `username` and `password` keys.
   * @default - the controller generates `<name>-rpc`
   */
  readonly rpcSecretName?: string;
  /**
   * CPU and memory of each node's bitcoind container.
   * @default - the requests and limits of {@link DEFAULT_RESOURCES}
   */
  readonly resources?: BitcoinNetworkResources;
  /**
   * A volume per node for its chain data.
   * @default - an emptyDir of at most {@link EPHEMERAL_DATA_SIZE}, which goes with the pod
   */
  readonly storage?: BitcoinNetworkStorage;
}

/** One pod of the network's StatefulSet, as the status reports it. */
export interface BitcoinNetworkNodeStatus {
  /** The pod's ordinal in the StatefulSet: `<name>-sts-<ordinal>`. */
  readonly ordinal: number;
  /** Whether the pod is Ready (its bitcoind answers RPC); false once it is being deleted. */
  readonly ready: boolean;
  /** The pod's IP address; empty until it has one. */
  readonly ip: string;
  /** The Kubernetes node the pod runs on. */
  readonly nodeName: string;
  /** `<pod>.<name>-svc.<namespace>.svc.cluster.local` */
  readonly dnsName: string;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/**
 * metav1.Condition
 * @see https://github.com/kubernetes/community/blob/master/contributors/devel/sig-architecture/api-conventions.md#typical-status-properties
 */
export interface Condition {
  /** `Ready`, `Progressing` or `Degraded` (the `CONDITION_*` constants). */
  readonly type: string;
  /** Whether the condition holds. */
  readonly status: ConditionStatus;
  /** Why, as one CamelCase word a program can match on. */
  readonly reason: string;
  /** Why, for a human: what the controller saw. */
  readonly message: string;
  /** RFC 3339 time the status last changed; a new reason or message alone does not move it. */
  readonly lastTransitionTime: string;
  /**
   * The `metadata.generation` of the spec the condition was computed from.
   * @default - unknown: the condition does not say which spec it describes
   */
  readonly observedGeneration?: number;
}

/**
 * What the controller last saw of a network.
 * @see docs/bitcoin-network-api.md
 */
export interface BitcoinNetworkStatus {
  /**
   * The `metadata.generation` this status describes.
   * @default - absent until the controller first writes the status
   */
  readonly observedGeneration?: number;
  /**
   * Pods that exist for the network; `kubectl scale` reads it.
   * @default - absent until the controller first writes the status
   */
  readonly replicas?: number;
  /**
   * Nodes whose pod is Ready: their bitcoind answers RPC.
   * @default - absent until the controller first writes the status
   */
  readonly readyNodes?: number;
  /**
   * Pod label selector, for the scale subresource.
   * @default - absent until the controller first writes the status
   * @see https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#scale-subresource
   */
  readonly selector?: string;
  /**
   * One entry per pod, by ordinal.
   * @default - absent until the controller first writes the status
   */
  readonly nodes?: readonly BitcoinNetworkNodeStatus[];
  /**
   * `Ready`, `Progressing` and `Degraded`, in that order.
   * @default - absent until the controller first writes the status
   */
  readonly conditions?: readonly Condition[];
}

/** A BitcoinNetwork object, as the API server stores it. */
export interface BitcoinNetwork extends KubernetesObject {
  /**
   * {@link API_VERSION}: optional only as in every KubernetesObject.
   * @default - none: every object the API server returns has it
   */
  apiVersion?: string;
  /**
   * {@link KIND}: optional only as in every KubernetesObject.
   * @default - none: every object the API server returns has it
   */
  kind?: string;
  /**
   * Name, namespace, uid and generation, which name the children and point their owner
   * references back at the network.
   * @default - none: every object the API server returns has it
   */
  metadata?: V1ObjectMeta;
  /** What the user asks for. */
  spec: BitcoinNetworkSpec;
  /**
   * What the controller reports.
   * @default - absent until the controller first writes it
   */
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
