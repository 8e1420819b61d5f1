import type { V1PodDisruptionBudget, V1PodDisruptionBudgetSpec } from '@kubernetes/client-node';
import { apiVersionOf, BitcoinNetwork, networkLabels, podDisruptionBudgetName } from '../../api';
import { childMeta } from './meta';

/** The spec of `<name>-pdb`: voluntary disruptions take at most one node at a time. */
export function desiredPodDisruptionBudgetSpec(network: BitcoinNetwork): V1PodDisruptionBudgetSpec {
  return {
    maxUnavailable: 1,
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
