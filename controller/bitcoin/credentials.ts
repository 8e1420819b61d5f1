/**
 * RPC credentials of a network: generated ones for a new Secret, and bitcoind's salted
 * `-rpcauth` line. Pure: randomness comes in through the arguments.
 */
import { createHash, createHmac } from 'node:crypto';
import type { BitcoinNetwork } from '../api';

/** RPC credentials of a network, decoded. */
export interface RpcCredentials {
  readonly username: string;
  readonly password: string;
  /** The `user:salt$hmac` value for `-rpcauth`. */
  readonly rpcauth: string;
}

/**
 * bitcoind's `-rpcauth` value for a user and password, as its `share/rpcauth` script makes it:
 * the HMAC-SHA256 of the password keyed with the hex salt string.
 */
export function rpcAuthLine(username: string, password: string, saltHex: string): string {
  const hmac = createHmac('sha256', Buffer.from(saltHex, 'utf8')).update(password, 'utf8');
  return `${username}:${saltHex}$${hmac.digest('hex')}`;
}

/**
 * Fresh credentials from a source of random bytes (injected, so tests are repeatable).
 */
export function generateCredentials(randomBytes: (n: number) => Buffer): RpcCredentials {
  const username = 'bitcoin';
  const password = randomBytes(32).toString('base64url');
  const salt = randomBytes(16).toString('hex');
  return { username, password, rpcauth: rpcAuthLine(username, password, salt) };
}

/**
 * A short hash of the credentials in effect, for the pod template. The salted line goes in with
 * the password, so the hash cannot be tested against guessed passwords without the salt.
 */
export function credentialsHash(creds: RpcCredentials): string {
  return createHash('sha256')
    .update(JSON.stringify([creds.username, creds.password, creds.rpcauth]))
    .digest('hex')
    .slice(0, 16);
}

/**
 * The `-rpcauth` value for a user-named Secret without an `rpcauth` key. The salt is derived from
 * the network and Secret UIDs so that the StatefulSet does not change from one pass to the next.
 */
export function derivedRpcAuth(
  network: BitcoinNetwork,
  secretUid: string,
  creds: { username: string; password: string },
): string {
  const salt = createHash('sha256')
    .update(`${network.metadata?.uid ?? ''}/${secretUid}`)
    .digest('hex')
    .slice(0, 32);
  return rpcAuthLine(creds.username, creds.password, salt);
}
