/**
 * The controller's view of Kubernetes: the API calls it makes (`KubeApi`) and the informer caches
 * it reads (`Listers`). The real client-node adapter is in `client.ts`; tests and the benchmark
 * use the recording fake in `fake/kube.ts`.
 *
 * Every call here is covered by the chart's ClusterRole; nothing deletes.
 */
import type {
  CoreV1Event,
  V1Lease,
  V1NetworkPolicy,
  V1NetworkPolicyPeer,
  V1NetworkPolicyPort,
  V1NetworkPolicySpec,
  V1Pod,
  V1PodDisruptionBudget,
  V1PodSpec,
  V1PodStatus,
  V1Secret,
  V1Service,
  V1StatefulSet,
  V1StatefulSetSpec,
} from '@kubernetes/client-node';
import type { BitcoinNetwork } from './api';

/**
 * A NetworkPolicy as it is on the wire. client-node's model names an ingress rule's peers
 * `_from` (`from` is reserved in its generator) and its serializer drops a plain `from`, which
 * would turn "only from these peers" into "from anyone". The controller uses the wire shape
 * everywhere; `client.ts` converts at the edge.
 */
export interface NetworkPolicyIngressRule {
  from?: V1NetworkPolicyPeer[];
  ports?: V1NetworkPolicyPort[];
}
export interface NetworkPolicy extends Omit<V1NetworkPolicy, 'spec'> {
  spec?: Omit<V1NetworkPolicySpec, 'ingress'> & { ingress?: NetworkPolicyIngressRule[] };
}

export interface KubeApi {
  /** bitcoinnetworks get */
  getNetwork(namespace: string, name: string): Promise<BitcoinNetwork | undefined>;
  /** bitcoinnetworks/status update; `network.metadata.resourceVersion` guards the write. */
  replaceNetworkStatus(network: BitcoinNetwork): Promise<BitcoinNetwork>;
  /** secrets get */
  getSecret(namespace: string, name: string): Promise<V1Secret | undefined>;
  /** secrets create */
  createSecret(namespace: string, body: V1Secret): Promise<V1Secret>;
  /** services get */
  getService(namespace: string, name: string): Promise<V1Service | undefined>;
  /** services create */
  createService(namespace: string, body: V1Service): Promise<V1Service>;
  /** services patch (JSON merge patch) */
  patchService(namespace: string, name: string, patch: object): Promise<V1Service>;
  /** statefulsets get */
  getStatefulSet(namespace: string, name: string): Promise<V1StatefulSet | undefined>;
  /** statefulsets create */
  createStatefulSet(namespace: string, body: V1StatefulSet): Promise<V1StatefulSet>;
  /** statefulsets patch (JSON merge patch) */
  patchStatefulSet(namespace: string, name: string, patch: object): Promise<V1StatefulSet>;
  /** networkpolicies get */
  getNetworkPolicy(namespace: string, name: string): Promise<NetworkPolicy | undefined>;
  /** networkpolicies create */
  createNetworkPolicy(namespace: string, body: NetworkPolicy): Promise<NetworkPolicy>;
  /** networkpolicies patch (JSON merge patch) */
  patchNetworkPolicy(namespace: string, name: string, patch: object): Promise<NetworkPolicy>;
  /** poddisruptionbudgets get */
  getPodDisruptionBudget(
    namespace: string,
    name: string,
  ): Promise<V1PodDisruptionBudget | undefined>;
  /** poddisruptionbudgets create */
  createPodDisruptionBudget(
    namespace: string,
    body: V1PodDisruptionBudget,
  ): Promise<V1PodDisruptionBudget>;
  /** poddisruptionbudgets patch (JSON merge patch) */
  patchPodDisruptionBudget(
    namespace: string,
    name: string,
    patch: object,
  ): Promise<V1PodDisruptionBudget>;
  /** events create (core/v1) */
  createEvent(namespace: string, body: CoreV1Event): Promise<void>;
}

/**
 * The Lease calls of leader election (coordination.k8s.io leases get, create, update), in the
 * controller's own namespace only.
 */
export interface LeaseApi {
  /** leases get */
  getLease(namespace: string, name: string): Promise<V1Lease | undefined>;
  /** leases create */
  createLease(namespace: string, body: V1Lease): Promise<V1Lease>;
  /** leases update; `body.metadata.resourceVersion` guards the write (409 when stale). */
  replaceLease(namespace: string, name: string, body: V1Lease): Promise<V1Lease>;
}

/**
 * A pod as the informer cache keeps it: its metadata and the three fields the status reports.
 * Pods are the most numerous cached objects and their specs the largest; client-go's informer
 * transforms exist for the same reason.
 */
export interface CachedPod {
  readonly metadata?: V1Pod['metadata'];
  readonly spec?: Pick<V1PodSpec, 'nodeName'>;
  readonly status?: Pick<V1PodStatus, 'podIP' | 'conditions'>;
}

/**
 * A StatefulSet as the informer cache keeps it: without the pod template (its hash is an
 * annotation) and without the status, which the controller reads from the pods.
 */
export interface CachedStatefulSet extends Omit<V1StatefulSet, 'spec' | 'status'> {
  readonly spec?: Omit<V1StatefulSetSpec, 'template'>;
}

/** Reduces a pod to a CachedPod as it enters the cache (in place: the cache holds this object). */
export function projectPod(pod: V1Pod): void {
  const { spec, status } = pod;
  const cached: { spec?: CachedPod['spec']; status?: CachedPod['status'] } = pod;
  cached.spec = spec && { nodeName: spec.nodeName };
  cached.status = status && { podIP: status.podIP, conditions: status.conditions };
}

/** Reduces a StatefulSet to a CachedStatefulSet as it enters the cache (in place). */
export function projectStatefulSet(statefulSet: V1StatefulSet): void {
  const cached: { spec?: CachedStatefulSet['spec']; status?: unknown } = statefulSet;
  if (statefulSet.spec) {
    const { template, ...rest } = statefulSet.spec;
    cached.spec = rest;
  }
  cached.status = undefined;
}

/** Read-only views of the informer caches. Returned objects must not be modified. */
export interface Listers {
  network(namespace: string, name: string): Readonly<BitcoinNetwork> | undefined;
  secret(namespace: string, name: string): Readonly<V1Secret> | undefined;
  service(namespace: string, name: string): Readonly<V1Service> | undefined;
  statefulSet(namespace: string, name: string): Readonly<CachedStatefulSet> | undefined;
  networkPolicy(namespace: string, name: string): Readonly<NetworkPolicy> | undefined;
  podDisruptionBudget(namespace: string, name: string): Readonly<V1PodDisruptionBudget> | undefined;
  /** Pods labelled with the network's instance label. */
  pods(namespace: string, network: string): readonly Readonly<CachedPod>[];
}

/** An API error with its HTTP status, the Status reason and the server's Retry-After, if any. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly reason?: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.name = 'ApiError';
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  /** How long the server asked us to wait (429 Too Many Requests, some 5xx). */
  readonly retryAfterSeconds?: number;
}

/** The Retry-After the apiserver sent with `err` or with an error that caused it, in ms. */
export function retryAfterMs(err: unknown): number | undefined {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (e instanceof ApiError && e.retryAfterSeconds !== undefined) {
      return e.retryAfterSeconds * 1000;
    }
  }
  return undefined;
}

export const isNotFound = (err: unknown): boolean =>
  err instanceof ApiError && err.statusCode === 404;

/** 409 Conflict: a stale resourceVersion. */
export const isConflict = (err: unknown): boolean =>
  err instanceof ApiError && err.statusCode === 409 && err.reason !== 'AlreadyExists';

export const isAlreadyExists = (err: unknown): boolean =>
  err instanceof ApiError && err.statusCode === 409 && err.reason === 'AlreadyExists';
