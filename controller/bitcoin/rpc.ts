/**
 * A small JSON-RPC client for bitcoind: HTTP POST with basic auth, a deadline per call and typed
 * errors. It never puts the password into an error message or a log line.
 */
import * as http from 'node:http';
import {
  RpcAuthError,
  RpcConnectionError,
  RpcError,
  RpcHttpError,
  RpcProtocolError,
  RpcResponseError,
  RpcTimeoutError,
} from './rpc-errors';

/** Where and how to reach one bitcoind. */
export interface RpcEndpoint {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
}

/** One entry of `getaddednodeinfo`. */
export interface AddedNodeInfo {
  readonly addednode: string;
  readonly connected: boolean;
  readonly addresses?: ReadonlyArray<{ address: string; connected: string }>;
}

export type AddNodeCommand = 'add' | 'remove' | 'onetry';

/** What the mesh code needs from bitcoind; tests substitute their own. */
export interface BitcoinRpc {
  getAddedNodeInfo(endpoint: RpcEndpoint): Promise<AddedNodeInfo[]>;
  addNode(endpoint: RpcEndpoint, node: string, command: AddNodeCommand): Promise<void>;
}

export interface JsonRpcClientOptions {
  /** Deadline of one call, connection included. @default 5000 */
  readonly timeoutMs?: number;
  /**
   * How long a connection may stay idle before the client closes it. A mesh pass reuses one
   * connection for its few calls to a node; between passes it closes, before bitcoind drops it
   * (`-rpcservertimeout`, 30 s by default), so no call goes out on a connection being closed
   * and the controller holds no idle socket per node of every network. @default 10000
   */
  readonly idleConnectionMs?: number;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

export class JsonRpcClient implements BitcoinRpc {
  private readonly timeoutMs: number;
  private readonly agent: http.Agent;
  private nextId = 1;

  constructor(options: JsonRpcClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    if (!(this.timeoutMs > 0)) {
      throw new Error(`timeoutMs must be greater than 0, got ${this.timeoutMs}`);
    }
    this.agent = new http.Agent({
      keepAlive: true,
      maxSockets: 4,
      timeout: options.idleConnectionMs ?? 10_000,
    });
  }

  /** Call `method` and return its decoded `result`. */
  call<T>(endpoint: RpcEndpoint, method: string, params: unknown[] = []): Promise<T> {
    const id = this.nextId++;
    const payload = JSON.stringify({ jsonrpc: '2.0', id, method, params });
    const where = `${endpoint.host}:${endpoint.port}`;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | undefined, value?: T): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        if (err) reject(err);
        else resolve(value as T);
      };
      const req = http.request({
        host: endpoint.host,
        port: endpoint.port,
        method: 'POST',
        path: '/',
        agent: this.agent,
        auth: `${endpoint.username}:${endpoint.password}`,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      });
      const deadline = setTimeout(() => {
        finish(new RpcTimeoutError(`${method} on ${where} timed out after ${this.timeoutMs} ms`));
        req.destroy();
      }, this.timeoutMs);
      req.on('error', (cause) => {
        finish(new RpcConnectionError(`${method} on ${where} failed: ${cause.message}`, { cause }));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) {
            finish(new RpcProtocolError(`${method} on ${where}: response larger than 4 MiB`));
            req.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (cause) =>
          finish(new RpcConnectionError(`${method} on ${where}: ${cause.message}`, { cause })),
        );
        res.on('end', () => {
          try {
            finish(undefined, decode<T>(res.statusCode ?? 0, Buffer.concat(chunks), method, id));
          } catch (err) {
            finish(err as Error);
          }
        });
      });
      req.end(payload);
    }).catch((err: unknown) => {
      // Name the endpoint, never the credentials.
      if (err instanceof RpcError) throw err;
      throw new RpcError(`${method} on ${where} failed`, { cause: err });
    });
  }

  getAddedNodeInfo(endpoint: RpcEndpoint): Promise<AddedNodeInfo[]> {
    return this.call<AddedNodeInfo[]>(endpoint, 'getaddednodeinfo');
  }

  async addNode(endpoint: RpcEndpoint, node: string, command: AddNodeCommand): Promise<void> {
    await this.call<null>(endpoint, 'addnode', [node, command]);
  }

  /** Close idle keep-alive sockets. */
  close(): void {
    this.agent.destroy();
  }
}

function decode<T>(status: number, body: Buffer, method: string, id: number): T {
  if (status === 401 || status === 403) {
    throw new RpcAuthError(status, `${method}: HTTP ${status}, RPC credentials rejected`);
  }
  const text = body.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    if (status < 200 || status >= 300) {
      throw new RpcHttpError(status, `${method}: HTTP ${status}`);
    }
    throw new RpcProtocolError(`${method}: response is not JSON (HTTP ${status})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RpcProtocolError(`${method}: response is not a JSON-RPC object (HTTP ${status})`);
  }
  const reply = parsed as { result?: unknown; error?: unknown; id?: unknown };
  // bitcoind reports RPC errors with HTTP 500 (legacy) or 200 (JSON-RPC 2.0): read the body first.
  if (reply.error !== undefined && reply.error !== null) {
    const e = reply.error as { code?: unknown; message?: unknown };
    if (typeof e.code !== 'number') {
      throw new RpcProtocolError(`${method}: malformed error object (HTTP ${status})`);
    }
    throw new RpcResponseError(e.code, String(e.message ?? ''), method);
  }
  if (status < 200 || status >= 300) {
    throw new RpcHttpError(status, `${method}: HTTP ${status}`);
  }
  if (reply.id !== id) {
    throw new RpcProtocolError(`${method}: response id ${String(reply.id)} does not match ${id}`);
  }
  if (!('result' in reply)) {
    throw new RpcProtocolError(`${method}: response has neither result nor error`);
  }
  return reply.result as T;
}
