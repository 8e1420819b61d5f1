/**
 * The RPC Secret step: create the generated Secret, or check the user's and keep its `rpcauth`
 * line in the controller's `<name>-rpcauth`; either way find the credentials for RPC calls and
 * where the pods get theirs.
 */
import type { V1Secret } from '@kubernetes/client-node';
import {
  rpcAuthSecretName,
  SECRET_KEY_PASSWORD,
  SECRET_KEY_RPCAUTH,
  SECRET_KEY_USERNAME,
  secretName,
} from '../api';
import { credentialsHash, derivedRpcAuth } from '../bitcoin/credentials';
import { desiredRpcAuthData, desiredRpcAuthSecret, desiredSecret } from './desired/secret';
import type { PodCredentials } from './desired/stateful-set';
import { isControlledBy, notOwned } from './ownership';
import {
  Action,
  event,
  Observed,
  Problem,
  REASON_CREATED,
  REASON_SECRET_KEY_MISSING,
  REASON_SECRET_NOT_FOUND,
  REASON_UPDATED,
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
  auth?: PodCredentials;
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
      auth: { secretName: name, rpcAuthSecretName: name, hash: credentialsHash(creds) },
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
  const credentials = { username, password };
  if (!named) {
    // The generated Secret carries its own line (checked above).
    const hash = credentialsHash({ ...credentials, rpcauth: rpcauth ?? '' });
    return {
      actions: [],
      problems: [],
      auth: { secretName: name, rpcAuthSecretName: name, hash },
      credentials,
    };
  }
  const line = rpcauth ?? derivedRpcAuth(net, o.secret.metadata?.uid ?? '', credentials);
  const owned = reconcileRpcAuthSecret(o, named, line);
  if (owned.problems.length > 0) return owned;
  return {
    actions: owned.actions,
    problems: [],
    auth: {
      secretName: name,
      rpcAuthSecretName: rpcAuthSecretName(net.metadata?.name ?? ''),
      hash: credentialsHash({ ...credentials, rpcauth: line }),
    },
    credentials,
  };
}

/**
 * `<name>-rpcauth`, the controller's copy of the `rpcauth` line in effect for the user's Secret
 * `from` (its own line, or the one derived from its password): created when missing, set back
 * to `line` when it differs, reported when someone else owns the name.
 */
function reconcileRpcAuthSecret(
  o: Observed,
  from: string,
  line: string,
): { actions: Action[]; problems: Problem[] } {
  const net = o.network;
  const ns = net.metadata?.namespace ?? '';
  const name = rpcAuthSecretName(net.metadata?.name ?? '');
  const current = o.rpcAuthSecret;
  if (!current) {
    return {
      actions: [
        { type: 'create', resource: 'secrets', object: desiredRpcAuthSecret(net, line) },
        event(
          'Normal',
          REASON_CREATED,
          `Created Secret "${name}" with the rpcauth line of "${from}"`,
        ),
      ],
      problems: [],
    };
  }
  if (!isControlledBy(current, net))
    return { actions: [], problems: [notOwned('Secret', name, ns)] };
  if (decodeKey(current, SECRET_KEY_RPCAUTH) === line) return { actions: [], problems: [] };
  return {
    actions: [
      {
        type: 'patch',
        resource: 'secrets',
        namespace: ns,
        name,
        patch: { data: desiredRpcAuthData(line) },
      },
      event('Normal', REASON_UPDATED, `Updated Secret "${name}" to the rpcauth line of "${from}"`),
    ],
    problems: [],
  };
}
