import type { V1Secret } from '@kubernetes/client-node';
import {
  apiVersionOf,
  BitcoinNetwork,
  rpcAuthSecretName,
  SECRET_KEY_PASSWORD,
  SECRET_KEY_RPCAUTH,
  SECRET_KEY_USERNAME,
  secretName,
} from '../../api';
import type { RpcCredentials } from '../../bitcoin/credentials';
import { childMeta } from './meta';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** The generated Secret `<name>-rpc`. Immutable, so it is never rotated by accident. */
export function desiredSecret(network: BitcoinNetwork, creds: RpcCredentials): V1Secret {
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

/** The `data` of `<name>-rpcauth`: the `rpcauth` line in effect for a user-named Secret. */
export function desiredRpcAuthData(rpcauth: string): Record<string, string> {
  return { [SECRET_KEY_RPCAUTH]: b64(rpcauth) };
}

/**
 * The Secret `<name>-rpcauth` beside a user-named Secret: the line the pods get, kept where only
 * those who may read Secrets see it. Mutable: it follows the user's Secret.
 */
export function desiredRpcAuthSecret(network: BitcoinNetwork, rpcauth: string): V1Secret {
  return {
    apiVersion: apiVersionOf('Secret'),
    kind: 'Secret',
    metadata: childMeta(network, rpcAuthSecretName(network.metadata?.name ?? '')),
    type: 'Opaque',
    data: desiredRpcAuthData(rpcauth),
  };
}
