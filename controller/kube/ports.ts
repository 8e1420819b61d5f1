/**
 * The controller's view of Kubernetes: the API calls it makes (`KubeApi`, `LeaseApi`) and the
 * informer caches it reads (`Listers`). The calls on child kinds are derived from the kinds
 * table: `get<Kind>`, `create<Kind>` and `patch<Kind>` (a JSON merge patch), as the row's verbs
 * allow. The client-node adapter is in `client.ts` and `lease-client.ts`; tests and the benchmark
 * use the recording fake in `controller/testing/`.
 *
 * Every call here is covered by the chart's ClusterRole; nothing deletes.
 */
import type { V1Lease } from '@kubernetes/client-node';
import type { BitcoinNetwork, ChildKind, Kind, KindWith } from '../api';
import type { CachedPod } from './cached';
import { CachedOf, callName, CallVerb, KindObjects } from './kinds';

/** The calls on the controller's own BitcoinNetworks. */
export interface NetworkCalls {
  /** bitcoinnetworks get */
  getNetwork(namespace: string, name: string): Promise<BitcoinNetwork | undefined>;
  /** bitcoinnetworks/status update; `network.metadata.resourceVersion` guards the write. */
  replaceNetworkStatus(network: BitcoinNetwork): Promise<BitcoinNetwork>;
}

type GetCalls = {
  [K in KindWith<'get'> as `get${K}`]: (
    namespace: string,
    name: string,
  ) => Promise<KindObjects[K] | undefined>;
};
type CreateCalls = {
  [K in KindWith<'create'> as `create${K}`]: (
    namespace: string,
    body: KindObjects[K],
  ) => Promise<KindObjects[K]>;
};
type PatchCalls = {
  [K in KindWith<'patch'> as `patch${K}`]: (
    namespace: string,
    name: string,
    patch: object,
  ) => Promise<KindObjects[K]>;
};

export type KubeApi = NetworkCalls & GetCalls & CreateCalls & PatchCalls;

type Call = (...args: unknown[]) => Promise<unknown>;

/** `api.<verb><kind>(...args)`, the method named by `callName`, called on `api`. */
const callOn = (api: KubeApi, verb: CallVerb, kind: Kind, ...args: unknown[]): Promise<unknown> =>
  (api as unknown as Record<string, Call>)[callName(verb, kind)](...args);

/** `api.get<kind>(namespace, name)`, for code that picks the kind at run time. */
export function getObject<K extends KindWith<'get'>>(
  api: KubeApi,
  kind: K,
  namespace: string,
  name: string,
): Promise<KindObjects[K] | undefined> {
  return callOn(api, 'get', kind, namespace, name) as Promise<KindObjects[K] | undefined>;
}

/** `api.create<kind>(namespace, body)`. */
export function createObject<K extends KindWith<'create'>>(
  api: KubeApi,
  kind: K,
  namespace: string,
  body: KindObjects[K],
): Promise<KindObjects[K]> {
  return callOn(api, 'create', kind, namespace, body) as Promise<KindObjects[K]>;
}

/** `api.patch<kind>(namespace, name, patch)`. */
export function patchObject<K extends KindWith<'patch'>>(
  api: KubeApi,
  kind: K,
  namespace: string,
  name: string,
  patch: object,
): Promise<KindObjects[K]> {
  return callOn(api, 'patch', kind, namespace, name, patch) as Promise<KindObjects[K]>;
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

/** One lister per child kind, named after it: `secret(namespace, name)`, `statefulSet(...)`. */
type ChildListers = {
  [K in ChildKind as Uncapitalize<K>]: (
    namespace: string,
    name: string,
  ) => Readonly<CachedOf<K>> | undefined;
};

/** Read-only views of the informer caches. Returned objects must not be modified. */
export type Listers = ChildListers & {
  network(namespace: string, name: string): Readonly<BitcoinNetwork> | undefined;
  /** Pods labelled with the network's instance label. */
  pods(namespace: string, network: string): readonly Readonly<CachedPod>[];
};
