import type { V1Service } from '@kubernetes/client-node';
import {
  ANNOTATION_SPEC_HASH,
  apiVersionOf,
  BitcoinNetwork,
  networkLabels,
  P2P_PORT,
  P2P_PORT_NAME,
  RPC_PORT,
  RPC_PORT_NAME,
  serviceName,
} from '../../api';
import { childMeta, specHash } from './meta';

/** The spec fields of the Service that the controller owns. */
export function desiredServiceSpec(network: BitcoinNetwork) {
  return {
    clusterIP: 'None',
    // Peers and the readiness probe need DNS before a pod is ready.
    publishNotReadyAddresses: true,
    selector: networkLabels(network.metadata?.name ?? ''),
    ports: [
      { name: RPC_PORT_NAME, port: RPC_PORT, targetPort: RPC_PORT, protocol: 'TCP' },
      { name: P2P_PORT_NAME, port: P2P_PORT, targetPort: P2P_PORT, protocol: 'TCP' },
    ],
  };
}

/** The headless Service `<name>-svc`. */
export function desiredService(network: BitcoinNetwork): V1Service {
  const spec = desiredServiceSpec(network);
  const meta = childMeta(network, serviceName(network.metadata?.name ?? ''));
  return {
    apiVersion: apiVersionOf('Service'),
    kind: 'Service',
    metadata: { ...meta, annotations: { [ANNOTATION_SPEC_HASH]: specHash(spec) } },
    spec,
  };
}
