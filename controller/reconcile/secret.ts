/**
 * The RPC Secret step: create the generated Secret, or check the user's; either way find the
 * credentials for RPC calls and the `-rpcauth` source for the pods.
 */
import type { V1Secret } from '@kubernetes/client-node';
import { SECRET_KEY_PASSWORD, SECRET_KEY_RPCAUTH, SECRET_KEY_USERNAME, secretName } from '../api';
import { derivedRpcAuth } from '../bitcoin/credentials';
import { desiredSecret } from './desired/secret';
import type { RpcAuthSource } from './desired/stateful-set';
import { isControlledBy, notOwned } from './ownership';
import {
  Action,
  event,
  Observed,
  Problem,
  REASON_CREATED,
  REASON_SECRET_KEY_MISSING,
  REASON_SECRET_NOT_FOUND,
  ReconcileContext,
} from './plan';

function decodeKey(secret: V1Secret, key: string): string | undefined {
  const b64 = secret.data?.[key];
  if (b64 !== undefined) return Buffer.from(b64, 'base64').toString('utf8');
  return secret.stringData?.[key];
}

export interface SecretOutcome {
  actions: Action[];
  problems: Problem[];
  auth?: RpcAuthSource;
  credentials?: { username: string; password: string };
}

export function reconcileSecret(o: Observed, ctx: ReconcileContext): SecretOutcome {
  const net = o.network;
  const ns = net.metadata?.namespace ?? '';
  const named = net.spec.rpcSecretName;
  const name = named ?? secretName(net.metadata?.name ?? '');
  if (!o.secret) {
    if (named) {
      return {
        actions: [],
        problems: [
          {
            reason: REASON_SECRET_NOT_FOUND,
            message: `Secret "${name}" named in spec.rpcSecretName was not found in namespace "${ns}"`,
          },
        ],
      };
    }
    const creds = ctx.newCredentials();
    return {
      actions: [
        { type: 'create', resource: 'secrets', object: desiredSecret(net, creds) },
        event('Normal', REASON_CREATED, `Created Secret "${name}" with generated RPC credentials`),
      ],
      problems: [],
      auth: { kind: 'secretKey', secretName: name },
      credentials: { username: creds.username, password: creds.password },
    };
  }
  if (!named && !isControlledBy(o.secret, net)) {
    return { actions: [], problems: [notOwned('Secret', name, ns)] };
  }
  const username = decodeKey(o.secret, SECRET_KEY_USERNAME);
  const password = decodeKey(o.secret, SECRET_KEY_PASSWORD);
  const rpcauth = decodeKey(o.secret, SECRET_KEY_RPCAUTH);
  const required = named
    ? [SECRET_KEY_USERNAME, SECRET_KEY_PASSWORD]
    : [SECRET_KEY_USERNAME, SECRET_KEY_PASSWORD, SECRET_KEY_RPCAUTH];
  const missing = required.filter((k) => !decodeKey(o.secret as V1Secret, k));
  if (missing.length > 0 || username === undefined || password === undefined) {
    return {
      actions: [],
      problems: [
        {
          reason: REASON_SECRET_KEY_MISSING,
          message: `Secret "${name}" in namespace "${ns}" lacks the key(s) ${missing.map((k) => `"${k}"`).join(', ')}`,
        },
      ],
    };
  }
  const auth: RpcAuthSource = rpcauth
    ? { kind: 'secretKey', secretName: name }
    : {
        kind: 'value',
        secretName: name,
        rpcauth: derivedRpcAuth(net, o.secret.metadata?.uid ?? '', { username, password }),
      };
  return { actions: [], problems: [], auth, credentials: { username, password } };
}
