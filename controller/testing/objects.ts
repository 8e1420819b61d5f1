/** Object helpers of the fake API: freezing, merge patches, and pods as a kubelet reports them. */
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { networkLabels, podName } from '../api';

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

/** RFC 7386 JSON merge patch. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target && typeof target === 'object' && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

export function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** A pod of a network's StatefulSet as the kubelet would report it. */
export function podFor(
  network: string,
  namespace: string,
  ordinal: number,
  options: { ready?: boolean; ip?: string; nodeName?: string } = {},
): V1Pod & KubernetesObject {
  const ready = options.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName(network, ordinal),
      namespace,
      labels: networkLabels(network),
    },
    spec: { containers: [{ name: 'bitcoind' }], nodeName: options.nodeName ?? 'node-a' },
    status: {
      phase: 'Running',
      podIP: options.ip ?? `10.0.0.${ordinal + 1}`,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  };
}
