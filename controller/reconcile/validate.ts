import { BitcoinNetwork, MAX_NODES, quantityValue } from '../api';
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
  return problems.map((message) => ({ reason: REASON_INVALID_SPEC, message }));
}
