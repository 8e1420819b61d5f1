/**
 * Decorators that count what goes over the wire: Kubernetes API calls by verb, resource and HTTP
 * code, and bitcoind JSON-RPC calls by method and result, with their duration. They wrap the
 * real clients in `main.ts` and the fakes in tests alike.
 */
import type { AddedNodeInfo, AddNodeCommand, BitcoinRpc, RpcEndpoint } from '../bitcoin/rpc';
import {
  RpcAuthError,
  RpcConnectionError,
  RpcHttpError,
  RpcProtocolError,
  RpcResponseError,
  RpcTimeoutError,
} from '../bitcoin/rpc-errors';
import { ApiError } from '../kube/errors';
import { KIND_NAMES, kindInfo } from '../api';
import { kindCalls } from '../kube/kinds';
import type { KubeApi, LeaseApi, NetworkCalls } from '../kube/ports';

/** Where the counts go; ControllerMetrics implements it. */
export interface RequestMetrics {
  apiRequest(verb: string, resource: string, code: string): void;
  rpcCall(method: string, result: string, seconds: number): void;
}

type Api = KubeApi & LeaseApi;

/** Verb and resource of each API method, as RBAC and the audit log name them. */
export const API_METHODS: Readonly<Record<keyof Api, readonly [string, string]>> = {
  getNetwork: ['get', 'bitcoinnetworks'],
  replaceNetworkStatus: ['update', 'bitcoinnetworks/status'],
  ...(Object.fromEntries(
    KIND_NAMES.flatMap((kind) =>
      kindCalls(kind).map(({ method, verb }) => [method, [verb, kindInfo(kind).plural]]),
    ),
  ) as unknown as Record<Exclude<keyof KubeApi, keyof NetworkCalls>, readonly [string, string]>),
  getLease: ['get', 'leases'],
  createLease: ['create', 'leases'],
  replaceLease: ['update', 'leases'],
};

/** The HTTP code of a failed call, or `network_error` when there was no response. */
function errorCode(err: unknown): string {
  return err instanceof ApiError ? String(err.statusCode) : 'network_error';
}

/**
 * The same API, counting every call in `metrics`. A `get` that finds nothing is counted as 404
 * (the client turns that answer into `undefined`).
 */
export function meteredApi<T extends Partial<Api>>(api: T, metrics: RequestMetrics): T {
  const wrapped: Record<string, unknown> = {};
  for (const [method, [verb, resource]] of Object.entries(API_METHODS)) {
    const fn = (api as Record<string, unknown>)[method];
    if (typeof fn !== 'function') continue;
    wrapped[method] = async (...args: unknown[]) => {
      try {
        const result: unknown = await (fn as (...a: unknown[]) => Promise<unknown>).apply(
          api,
          args,
        );
        const code =
          verb === 'create' ? '201' : verb === 'get' && result === undefined ? '404' : '200';
        metrics.apiRequest(verb, resource, code);
        return result;
      } catch (err) {
        metrics.apiRequest(verb, resource, errorCode(err));
        throw err;
      }
    };
  }
  // Listers and helpers of the wrapped object stay reachable (and uncounted).
  return new Proxy(api, {
    get: (target, prop, receiver) =>
      typeof prop === 'string' && prop in wrapped
        ? wrapped[prop]
        : Reflect.get(target, prop, receiver),
  });
}

/** The result label of an RPC failure. */
export function rpcResult(err: unknown): string {
  if (err instanceof RpcTimeoutError) return 'timeout';
  if (err instanceof RpcConnectionError) return 'connection_error';
  if (err instanceof RpcAuthError) return 'auth_error';
  if (err instanceof RpcHttpError) return 'http_error';
  if (err instanceof RpcProtocolError) return 'protocol_error';
  if (err instanceof RpcResponseError) return 'rpc_error';
  return 'error';
}

/** A BitcoinRpc that counts and times every call. */
export class MeteredRpc implements BitcoinRpc {
  constructor(
    private readonly inner: BitcoinRpc,
    private readonly metrics: RequestMetrics,
  ) {}

  getAddedNodeInfo(endpoint: RpcEndpoint): Promise<AddedNodeInfo[]> {
    return this.time('getaddednodeinfo', () => this.inner.getAddedNodeInfo(endpoint));
  }

  addNode(endpoint: RpcEndpoint, node: string, command: AddNodeCommand): Promise<void> {
    return this.time('addnode', () => this.inner.addNode(endpoint, node, command));
  }

  private async time<T>(method: string, fn: () => Promise<T>): Promise<T> {
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const result = await fn();
      this.metrics.rpcCall(method, 'ok', seconds());
      return result;
    } catch (err) {
      this.metrics.rpcCall(method, rpcResult(err), seconds());
      throw err;
    }
  }
}
