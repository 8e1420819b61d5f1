/**
 * Work-queue keys: `namespace/name` of a network, and the mapping of a child's event to the key of
 * the network that controls it.
 */
import { API_VERSION, apiVersionOf, KIND, LABEL_NETWORK } from '../api';

/** Key of a network in the work queue. */
export const keyOf = (namespace: string, name: string): string => `${namespace}/${name}`;

/** The namespace and name of a key made by `keyOf`. */
export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

interface OwnedObject {
  metadata?: {
    namespace?: string;
    labels?: Record<string, string>;
    ownerReferences?: Array<{
      apiVersion: string;
      kind: string;
      name: string;
      controller?: boolean;
    }>;
  };
}

/**
 * The queue key of the network that controls `obj`, through its controller ownerReference. Pods
 * are controlled by the StatefulSet, so for them the StatefulSet's own controller is followed
 * (looked up with `statefulSet`), falling back to the pod's network label if the StatefulSet is
 * not in the cache.
 */
export function ownerKeyOf(
  obj: OwnedObject,
  statefulSet: (namespace: string, name: string) => OwnedObject | undefined,
): string | undefined {
  const ns = obj.metadata?.namespace;
  if (!ns) return undefined;
  const ref = obj.metadata?.ownerReferences?.find((r) => r.controller === true);
  if (!ref) return undefined;
  if (ref.kind === KIND && ref.apiVersion === API_VERSION) return keyOf(ns, ref.name);
  if (ref.kind === 'StatefulSet' && ref.apiVersion === apiVersionOf('StatefulSet')) {
    const sts = statefulSet(ns, ref.name);
    if (sts) return ownerKeyOf(sts, () => undefined);
    const label = obj.metadata?.labels?.[LABEL_NETWORK];
    return label ? keyOf(ns, label) : undefined;
  }
  return undefined;
}
