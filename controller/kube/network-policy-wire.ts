import type { V1NetworkPolicy } from '@kubernetes/client-node';
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
export function toWireNetworkPolicy<T extends object | undefined>(policy: T): T {
  if (!policy) return policy;
  return mapRules(policy, ({ _from, ...rest }) =>
    _from === undefined ? rest : { ...rest, from: _from },
  ) as T;
}
/** client-node's model (`_from`) of a wire NetworkPolicy, for its serializer. */
export function toModelNetworkPolicy(policy: NetworkPolicy): V1NetworkPolicy {
  return mapRules(policy, ({ from, ...rest }) =>
    from === undefined ? rest : { ...rest, _from: from },
  ) as V1NetworkPolicy;
}
