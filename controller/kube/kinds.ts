/**
 * The types and cache projections of the kinds in `controller/api/kinds.ts`, and the names of
 * their KubeApi calls. A row of the table without its types here does not compile.
 */
import type {
  CoreV1Event,
  V1Pod,
  V1PodDisruptionBudget,
  V1Secret,
  V1Service,
  V1StatefulSet,
} from '@kubernetes/client-node';
import { ChildKind, Kind, kindInfo, ReducedKind } from '../api';
import {
  CachedPod,
  CachedStatefulSet,
  NetworkPolicy,
  projectPod,
  projectStatefulSet,
} from './cached';

/** Fails to compile unless `T` has a member for every kind of `K`. */
type Every<K extends string, T extends Record<K, unknown>> = T;

/** The object of each kind, as the controller reads and writes it. */
export type KindObjects = Every<
  Kind,
  {
    StatefulSet: V1StatefulSet;
    Service: V1Service;
    Pod: V1Pod;
    Secret: V1Secret;
    Event: CoreV1Event;
    NetworkPolicy: NetworkPolicy;
    PodDisruptionBudget: V1PodDisruptionBudget;
  }
>;

/** The object of each `reduced` kind as its informer caches it. */
type ReducedObjects = Every<ReducedKind, { StatefulSet: CachedStatefulSet; Pod: CachedPod }>;

/** An object of kind `K` as the informer cache holds it. */
export type CachedOf<K extends Kind> = K extends ReducedKind ? ReducedObjects[K] : KindObjects[K];

/** How each `reduced` kind is reduced, in place, as it enters the cache. */
export const PROJECTIONS: { readonly [K in ReducedKind]: (obj: KindObjects[K]) => void } = {
  StatefulSet: projectStatefulSet,
  Pod: projectPod,
};

/** The verbs that are KubeApi calls of a kind (list and watch belong to the informers). */
export type CallVerb = 'get' | 'create' | 'patch';
const CALL_VERBS: readonly CallVerb[] = ['get', 'create', 'patch'];

/** The KubeApi method of `verb` on `kind`: `getSecret`, `createService`, `patchStatefulSet`. */
export const callName = (verb: CallVerb, kind: Kind): string => `${verb}${kind}`;

/** The KubeApi calls of a kind, as its verbs allow. */
export function kindCalls(kind: Kind): Array<{ readonly method: string; readonly verb: CallVerb }> {
  const verbs: readonly string[] = kindInfo(kind).verbs;
  return CALL_VERBS.filter((v) => verbs.includes(v)).map((verb) => ({
    method: callName(verb, kind),
    verb,
  }));
}

/** The Listers method of a child kind: `secret`, `statefulSet`, `podDisruptionBudget`. */
export const listerName = (kind: ChildKind): string => kind[0].toLowerCase() + kind.slice(1);
