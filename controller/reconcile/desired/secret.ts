import type { V1Secret } from '@kubernetes/client-node';
import {
  apiVersionOf,
  BitcoinNetwork,
  SECRET_KEY_PASSWORD,
  SECRET_KEY_RPCAUTH,
  SECRET_KEY_USERNAME,
  secretName,
} from '../../api';
import type { RpcCredentials } from '../../bitcoin/credentials';
import { childMeta } from './meta';

/** The generated Secret `<name>-rpc`. Immutable, so it is never rotated by accident. */
export function desiredSecret(network: BitcoinNetwork, creds: RpcCredentials): V1Secret {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return {
    apiVersion: apiVersionOf('Secret'),
    kind: 'Secret',
    metadata: childMeta(network, secretName(network.metadata?.name ?? '')),
    type: 'Opaque',
    immutable: true,
    data: {
      [SECRET_KEY_USERNAME]: b64(creds.username),
      [SECRET_KEY_PASSWORD]: b64(creds.password),
      [SECRET_KEY_RPCAUTH]: b64(creds.rpcauth),
    },
  };
}
