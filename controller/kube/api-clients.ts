/**
 * The client-node API clients of one kubeconfig, and the conversion of their errors into
 * ApiError at this edge.
 */
import {
  ApiException,
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  NetworkingV1Api,
  PatchStrategy,
  PolicyV1Api,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { apiVersionOf, Kind } from '../api';
import { ApiError, isNotFound } from './errors';
import { makeKeepAliveApiClient, SharedAgents } from './keep-alive';

/** Turn a client-node error into an ApiError with the Status reason, if the body has one. */
function toApiError(err: unknown): unknown {
  if (!(err instanceof ApiException)) return err;
  let body: unknown = err.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // not a Status object
    }
  }
  const status = (body ?? {}) as {
    reason?: string;
    message?: string;
    details?: { retryAfterSeconds?: number };
  };
  const message = `HTTP ${err.code}${status.reason ? ` ${status.reason}` : ''}: ${status.message ?? 'request failed'}`;
  // The header is authoritative; the Status body repeats it for clients that cannot see headers.
  const header = Number(err.headers?.['retry-after'] ?? Number.NaN);
  const retryAfterSeconds = Number.isFinite(header) ? header : status.details?.retryAfterSeconds;
  return new ApiError(err.code, message, status.reason, { cause: err, retryAfterSeconds });
}

export async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toApiError(err);
  }
}

export async function orUndefined<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call(fn);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Options of a JSON merge patch request. */
export const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * The API clients of one kubeconfig, made once per process and shared by the KubeApi, the
 * LeaseApi and the informers' lists; every request goes through `agents`' keep-alive connections.
 */
export class ApiClients {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly custom: CustomObjectsApi;
  readonly networking: NetworkingV1Api;
  readonly policy: PolicyV1Api;
  readonly coordination: CoordinationV1Api;

  constructor(
    readonly kubeConfig: KubeConfig,
    agents: SharedAgents,
  ) {
    this.core = makeKeepAliveApiClient(kubeConfig, CoreV1Api, agents);
    this.apps = makeKeepAliveApiClient(kubeConfig, AppsV1Api, agents);
    this.custom = makeKeepAliveApiClient(kubeConfig, CustomObjectsApi, agents);
    this.networking = makeKeepAliveApiClient(kubeConfig, NetworkingV1Api, agents);
    this.policy = makeKeepAliveApiClient(kubeConfig, PolicyV1Api, agents);
    this.coordination = makeKeepAliveApiClient(kubeConfig, CoordinationV1Api, agents);
  }

  /**
   * The client-node method `name` (e.g. `readNamespacedSecret`) of the client of `kind`'s API
   * group, bound to it. client-node names its methods after the kind, so the kinds table needs no
   * per-kind code here.
   */
  method(kind: Kind, name: string): (...args: unknown[]) => Promise<unknown> {
    const clients: Record<string, object> = {
      v1: this.core,
      'apps/v1': this.apps,
      'networking.k8s.io/v1': this.networking,
      'policy/v1': this.policy,
    };
    const apiVersion = apiVersionOf(kind);
    const client = clients[apiVersion];
    const fn = (client as Record<string, unknown> | undefined)?.[name];
    if (typeof fn !== 'function') {
      throw new Error(
        `no client-node method ${name} for ${kind} (${apiVersion}): add its API client to ApiClients`,
      );
    }
    return fn.bind(client) as (...args: unknown[]) => Promise<unknown>;
  }
}
