import type { V1PodDisruptionBudget, V1PodDisruptionBudgetSpec } from '@kubernetes/client-node';
import { apiVersionOf, BitcoinNetwork, networkLabels, podDisruptionBudgetName } from '../../api';
import { childMeta } from './meta';

/**
 * The spec of `<name>-pdb`: voluntary disruptions (a node drain) take at most one node at a
 * time, so the rest of the mesh keeps serving, and never none: a one-node network is down while
 * its pod moves, and an unready node (still syncing, crash-looping) may always be evicted, so no
 * drain waits on it forever. The pod comes back on its own claim, so nothing is lost.
 */
export function desiredPodDisruptionBudgetSpec(network: BitcoinNetwork): V1PodDisruptionBudgetSpec {
  return {
    maxUnavailable: 1,
    unhealthyPodEvictionPolicy: 'AlwaysAllow',
    selector: { matchLabels: networkLabels(network.metadata?.name ?? '') },
  };
}

/** The PodDisruptionBudget `<name>-pdb` for the StatefulSet's pods. */
export function desiredPodDisruptionBudget(network: BitcoinNetwork): V1PodDisruptionBudget {
  return {
    apiVersion: apiVersionOf('PodDisruptionBudget'),
    kind: 'PodDisruptionBudget',
    metadata: childMeta(network, podDisruptionBudgetName(network.metadata?.name ?? '')),
    spec: desiredPodDisruptionBudgetSpec(network),
  };
}
