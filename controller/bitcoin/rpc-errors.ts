/** The errors of bitcoind's JSON-RPC interface, as the client reports them. */

/** bitcoind's RPC error codes the controller cares about. */
export const RPC_CLIENT_NODE_ALREADY_ADDED = -23;
export const RPC_CLIENT_NODE_NOT_ADDED = -24;

/** Base class of every error the client throws. */
export class RpcError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The call did not complete before its deadline. */
export class RpcTimeoutError extends RpcError {}

/** The TCP connection failed (refused, reset, unreachable). */
export class RpcConnectionError extends RpcError {}

/** bitcoind answered with an HTTP status that carries no JSON-RPC error. */
export class RpcHttpError extends RpcError {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** HTTP 401: wrong user name or password. */
export class RpcAuthError extends RpcHttpError {}

/** The body was not the JSON-RPC response we asked for. */
export class RpcProtocolError extends RpcError {}

/** bitcoind answered with a JSON-RPC error object. */
export class RpcResponseError extends RpcError {
  constructor(
    readonly code: number,
    readonly rpcMessage: string,
    readonly method: string,
  ) {
    super(`${method} failed with RPC error ${code}: ${rpcMessage}`);
  }
}

/**
 * Whether an `addnode` failure means the list already is as wanted: -23 "already added" for an
 * add, -24 "not added" for a remove (another pass may have got there first).
 */
export function isBenignAddNodeError(err: unknown): boolean {
  return (
    err instanceof RpcResponseError &&
    (err.code === RPC_CLIENT_NODE_ALREADY_ADDED || err.code === RPC_CLIENT_NODE_NOT_ADDED)
  );
}

/** Text for a mesh failure, safe to show in status and events. */
export function describeRpcFailure(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
