import {
  apiVersionOf,
  BitcoinNetwork,
  CLUSTER_DNS,
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

/**
 * The spec of `<name>-netpol`. In: RPC from the controller's pods only, P2P from the same network
 * only. Out: DNS, and P2P to the same network; nothing else, so a node cannot reach the instance
 * metadata service, the API server or the internet. Replies to allowed connections pass either way.
 */
export function desiredNetworkPolicySpec(
  network: BitcoinNetwork,
): NonNullable<NetworkPolicy['spec']> {
  const name = network.metadata?.name ?? '';
  const peers = { podSelector: { matchLabels: { [LABEL_NETWORK]: name } } };
  return {
    podSelector: { matchLabels: networkLabels(name) },
    policyTypes: ['Ingress', 'Egress'],
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
      { from: [peers], ports: [{ protocol: 'TCP', port: P2P_PORT }] },
    ],
    egress: [
      {
        to: [
          {
            namespaceSelector: {
              matchLabels: { 'kubernetes.io/metadata.name': CLUSTER_DNS.namespace },
            },
            podSelector: { matchLabels: { ...CLUSTER_DNS.podLabels } },
          },
        ],
        ports: [
          { protocol: 'UDP', port: CLUSTER_DNS.port },
          { protocol: 'TCP', port: CLUSTER_DNS.port },
        ],
      },
      { to: [peers], ports: [{ protocol: 'TCP', port: P2P_PORT }] },
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
