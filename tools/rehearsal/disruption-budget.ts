/**
 * What a PodDisruptionBudget allows, computed the way the disruption controller does, but from
 * the workloads' own replica counts rather than from its status: the rehearsal's sampler must not
 * trust the component whose promise it checks.
 * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/#rounding-logic-when-specifying-percentages
 */

export type IntOrPercent = number | string;

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: string;
    readonly values?: readonly string[];
  }[];
}

export interface BudgetSpec {
  readonly minAvailable?: IntOrPercent;
  readonly maxUnavailable?: IntOrPercent;
  readonly selector?: LabelSelector;
}

/** `value` of `expected`: an integer as is, a percentage rounded up, as Kubernetes rounds both. */
function scaled(value: IntOrPercent, expected: number): number {
  if (typeof value === 'number') return value;
  const percent = /^(\d+)%$/.exec(value);
  if (!percent) throw new Error(`"${value}" is neither an integer nor a percentage`);
  return Math.ceil((Number(percent[1]) * expected) / 100);
}

/**
 * How many of `expected` pods may be unavailable at once under `spec`. A budget that names
 * neither field constrains nothing.
 */
export function allowedUnavailable(spec: BudgetSpec, expected: number): number {
  if (spec.maxUnavailable !== undefined) return scaled(spec.maxUnavailable, expected);
  if (spec.minAvailable !== undefined)
    return Math.max(0, expected - scaled(spec.minAvailable, expected));
  return expected;
}

/** Whether `labels` match `selector`; an empty selector matches every pod (policy/v1). */
export function selects(
  selector: LabelSelector | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  return (selector?.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In':
        return key in labels && values.includes(labels[key]);
      case 'NotIn':
        return !(key in labels) || !values.includes(labels[key]);
      case 'Exists':
        return key in labels;
      case 'DoesNotExist':
        return !(key in labels);
      default:
        throw new Error(`unknown selector operator "${operator}"`);
    }
  });
}
