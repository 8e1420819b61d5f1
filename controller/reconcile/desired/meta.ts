/** What every child of a network shares: its metadata, and the hash of the spec we wrote. */
import { createHash } from 'node:crypto';
import { BitcoinNetwork, controllerRef, networkLabels } from '../../api';

/** Hash of the parts of a child spec the controller owns, stored as an annotation. */
export function specHash(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex').slice(0, 16);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Name, namespace, labels and controller ownerReference of a network's child. */
export function childMeta(network: BitcoinNetwork, name: string) {
  return {
    name,
    namespace: network.metadata?.namespace,
    labels: networkLabels(network.metadata?.name ?? ''),
    ownerReferences: [controllerRef(network)],
  };
}
