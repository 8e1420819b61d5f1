/**
 * What a node drain may do under a PodDisruptionBudget, by the Eviction API's own arithmetic
 * (kube-controller-manager's disruption controller), so tests can prove a budget drainable.
 */

export interface BudgetSpec {
  readonly maxUnavailable?: number | string;
  readonly minAvailable?: number | string;
}

/** An int-or-percent of `replicas`; the disruption controller rounds percentages up. */
function count(value: number | string, replicas: number): number {
  if (typeof value === 'number') return value;
  const percent = /^(\d+)%$/.exec(value);
  if (!percent) throw new Error(`not an int-or-percent: ${value}`);
  return Math.ceil((Number(percent[1]) * replicas) / 100);
}

/** Pods the budget lets a drain evict at once while all `replicas` pods are healthy. */
export function allowedDisruptions(spec: BudgetSpec, replicas: number): number {
  if (spec.maxUnavailable !== undefined) return Math.max(0, count(spec.maxUnavailable, replicas));
  if (spec.minAvailable !== undefined)
    return Math.max(0, replicas - count(spec.minAvailable, replicas));
  // A budget with neither field defaults to minAvailable 1.
  return Math.max(0, replicas - 1);
}
