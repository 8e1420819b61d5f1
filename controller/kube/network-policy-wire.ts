import type { V1NetworkPolicy } from '@kubernetes/client-node';
import type { Kind } from '../api';
import type { NetworkPolicy } from './cached';

/**
 * client-node's model of a NetworkPolicy ingress rule calls `from` `_from`; its serializer only
 * knows `_from`, and objects from a watch (raw JSON) carry `from`. Convert both ways at this edge.
 */
type Rule = { from?: unknown; _from?: unknown; [k: string]: unknown };
function mapRules(policy: object, rename: (rule: Rule) => Rule): object {
  const p = policy as { spec?: { ingress?: Rule[] } };
  if (!p.spec?.ingress) return policy;
  return { ...p, spec: { ...p.spec, ingress: p.spec.ingress.map(rename) } };
}
/** The wire shape (`from`) of a NetworkPolicy from client-node's model or from a watch. */
function toWireNetworkPolicy<T extends object | undefined>(policy: T): T {
  if (!policy) return policy;
  return mapRules(policy, ({ _from, ...rest }) =>
    _from === undefined ? rest : { ...rest, from: _from },
  ) as T;
}
/** client-node's model (`_from`) of a wire NetworkPolicy, for its serializer. */
function toModelNetworkPolicy(policy: NetworkPolicy): V1NetworkPolicy {
  return mapRules(policy, ({ from, ...rest }) =>
    from === undefined ? rest : { ...rest, _from: from },
  ) as V1NetworkPolicy;
}

type Convert = (obj: unknown) => unknown;
const same: Convert = (obj) => obj;

/**
 * Kinds whose client-node model differs from the wire: `toModel` for bodies we send, `toWire`
 * for objects we get back. A patch body goes out as plain JSON and keeps the wire names.
 */
const CONVERSIONS: Readonly<Record<string, { toModel: Convert; toWire: Convert }>> = {
  NetworkPolicy: {
    toModel: (p) => toModelNetworkPolicy(p as Parameters<typeof toModelNetworkPolicy>[0]),
    toWire: (p) => toWireNetworkPolicy(p as object | undefined),
  },
};

/** How objects of `kind` convert between client-node's model and the wire. */
export function modelConversion(kind: Kind): { toModel: Convert; toWire: Convert } {
  return CONVERSIONS[kind] ?? { toModel: same, toWire: same };
}
