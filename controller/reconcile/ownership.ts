/** Whether a child is ours: the controller ownerReference that ties it to its network. */
import type { BitcoinNetwork } from '../api';
import { Problem, REASON_RESOURCE_NOT_OWNED } from './plan';

/** Whether `obj` carries a controller ownerReference to this network. */
export function isControlledBy(
  obj: { metadata?: { ownerReferences?: Array<{ controller?: boolean; uid: string }> } },
  network: BitcoinNetwork,
): boolean {
  const ref = obj.metadata?.ownerReferences?.find((r) => r.controller === true);
  return ref !== undefined && ref.uid === network.metadata?.uid;
}

/** The problem of a child name taken by an object this network does not control. */
export function notOwned(kind: string, name: string, ns: string): Problem {
  return {
    reason: REASON_RESOURCE_NOT_OWNED,
    message: `${kind} "${name}" already exists in namespace "${ns}" and is not managed by this BitcoinNetwork`,
  };
}
