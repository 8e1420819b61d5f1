import { BitcoinNetwork, COMPUTE_RESOURCES, MAX_NODES, quantityValue } from '../api';
import { Problem, REASON_INVALID_SPEC } from './plan';

/**
 * Problems with a spec that got past the CRD schema (or met an older schema). The messages name
 * the field and the value.
 */
export function validateSpec(spec: BitcoinNetwork['spec']): Problem[] {
  const problems: string[] = [];
  const nodes = spec?.nodes as unknown;
  if (typeof nodes !== 'number' || !Number.isInteger(nodes) || nodes < 0 || nodes > MAX_NODES) {
    problems.push(
      `spec.nodes must be an integer from 0 to ${MAX_NODES}, got ${JSON.stringify(nodes)}`,
    );
  }
  const size = spec?.storage?.size as unknown;
  if (spec?.storage && (typeof size !== 'string' || quantityValue(size) === undefined)) {
    problems.push(
      `spec.storage.size must be a quantity such as "1Gi", got ${JSON.stringify(size)}`,
    );
  }
  if (spec?.image !== undefined && (typeof spec.image !== 'string' || spec.image.trim() === '')) {
    problems.push(
      `spec.image must be a non-empty image reference, got ${JSON.stringify(spec.image)}`,
    );
  }
  problems.push(...resourceProblems(spec?.resources));
  return problems.map((message) => ({ reason: REASON_INVALID_SPEC, message }));
}

/**
 * Quantities that do not parse or are negative, and requests above their limits: the API server
 * would refuse the StatefulSet (422) at every pass, so they are reported here instead.
 */
function resourceProblems(resources: BitcoinNetwork['spec']['resources']): string[] {
  const problems: string[] = [];
  for (const name of COMPUTE_RESOURCES) {
    const values: Record<string, number | undefined> = {};
    for (const bound of ['requests', 'limits'] as const) {
      const value = resources?.[bound]?.[name] as unknown;
      if (value === undefined) continue;
      const parsed =
        typeof value === 'string' || typeof value === 'number' ? quantityValue(value) : undefined;
      if (parsed === undefined || parsed < 0) {
        problems.push(
          `spec.resources.${bound}.${name} must be a non-negative quantity such as "500m" or ` +
            `"1Gi", got ${JSON.stringify(value)}`,
        );
      }
      values[bound] = parsed;
    }
    const { requests, limits } = values;
    if (requests !== undefined && limits !== undefined && requests > limits) {
      problems.push(
        `spec.resources.requests.${name} (${resources?.requests?.[name]}) must be less than or ` +
          `equal to spec.resources.limits.${name} (${resources?.limits?.[name]})`,
      );
    }
  }
  return problems;
}
