import {
  apiVersionOf,
  BitcoinNetwork,
  CONTROLLER_NAMESPACE,
  CONTROLLER_POD_LABELS,
  LABEL_NETWORK,
  networkLabels,
  networkPolicyName,
  P2P_PORT,
  RPC_PORT,
} from '../../api';
import type { NetworkPolicy } from '../../kube/cached';
import { childMeta } from './meta';

/** The spec of `<name>-netpol`: RPC from the controller's pods only, P2P within the network only. */
export function desiredNetworkPolicySpec(
  network: BitcoinNetwork,
): NonNullable<NetworkPolicy['spec']> {
  const name = network.metadata?.name ?? '';
  return {
    podSelector: { matchLabels: networkLabels(name) },
    policyTypes: ['Ingress'],
    ingress: [
      {
        from: [
          {
            namespaceSelector: {
              matchLabels: { 'kubernetes.io/metadata.name': CONTROLLER_NAMESPACE },
            },
            podSelector: { matchLabels: { ...CONTROLLER_POD_LABELS } },
          },
        ],
        ports: [{ protocol: 'TCP', port: RPC_PORT }],
      },
      {
        from: [{ podSelector: { matchLabels: { [LABEL_NETWORK]: name } } }],
        ports: [{ protocol: 'TCP', port: P2P_PORT }],
      },
    ],
  };
}

/** The NetworkPolicy `<name>-netpol` selecting the network's pods. */
export function desiredNetworkPolicy(network: BitcoinNetwork): NetworkPolicy {
  return {
    apiVersion: apiVersionOf('NetworkPolicy'),
    kind: 'NetworkPolicy',
    metadata: childMeta(network, networkPolicyName(network.metadata?.name ?? '')),
    spec: desiredNetworkPolicySpec(network),
  };
}
