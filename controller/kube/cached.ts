/**
 * Shapes of the objects as the controller holds them: the NetworkPolicy in its wire form, and the
 * pods and StatefulSets reduced as they enter the informer cache.
 */
import type {
  V1NetworkPolicy,
  V1NetworkPolicyPeer,
  V1NetworkPolicyPort,
  V1NetworkPolicySpec,
  V1Pod,
  V1PodSpec,
  V1PodStatus,
  V1StatefulSet,
  V1StatefulSetSpec,
} from '@kubernetes/client-node';

/**
 * A NetworkPolicy as it is on the wire. client-node's model names an ingress rule's peers
 * `_from` (`from` is reserved in its generator) and its serializer drops a plain `from`, which
 * would turn "only from these peers" into "from anyone". The controller uses the wire shape
 * everywhere; `network-policy-wire.ts` converts at the edge.
 */
export interface NetworkPolicyIngressRule {
  from?: V1NetworkPolicyPeer[];
  ports?: V1NetworkPolicyPort[];
}
export interface NetworkPolicy extends Omit<V1NetworkPolicy, 'spec'> {
  spec?: Omit<V1NetworkPolicySpec, 'ingress'> & { ingress?: NetworkPolicyIngressRule[] };
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
