/**
 * The controller's view of Kubernetes: the API calls it makes (`KubeApi`, `LeaseApi`) and the
 * informer caches it reads (`Listers`). The client-node adapter is in `client.ts` and
 * `lease-client.ts`; tests and the benchmark use the recording fake in `controller/testing/`.
 *
 * Every call here is covered by the chart's ClusterRole; nothing deletes.
 */
import type {
  CoreV1Event,
  V1Lease,
  V1PodDisruptionBudget,
  V1Secret,
  V1Service,
  V1StatefulSet,
} from '@kubernetes/client-node';
import type { BitcoinNetwork } from '../api';
import type { CachedPod, CachedStatefulSet, NetworkPolicy } from './cached';

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
