/**
 * The real KubeApi and Listers, on @kubernetes/client-node 1.x (object-style parameters, merge
 * patches through a Content-Type header option), and the informers behind the listers.
 */
import {
  ApiException,
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CoreV1Event,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObject,
  makeInformer,
  NetworkingV1Api,
  PatchStrategy,
  PolicyV1Api,
  setHeaderOptions,
  V1Lease,
  V1MicroTime,
  V1NetworkPolicy,
  V1Pod,
  V1PodDisruptionBudget,
  V1Secret,
  V1Service,
  V1StatefulSet,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { BitcoinNetwork, CHILD_SELECTOR, GROUP, LABEL_INSTANCE, PLURAL, VERSION } from './api';
import { EventVerb, ResilientInformer } from './informer';
import { makeKeepAliveApiClient, SharedAgents } from './keep-alive';
import {
  ApiError,
  isNotFound,
  KubeApi,
  LeaseApi,
  Listers,
  NetworkPolicy,
  projectPod,
  projectStatefulSet,
} from './kube';

/** Turn a client-node error into an ApiError with the Status reason, if the body has one. */
export function toApiError(err: unknown): unknown {
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

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toApiError(err);
  }
}

async function orUndefined<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call(fn);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * client-node's model of a NetworkPolicy ingress rule calls `from` `_from`; its serializer only
 * knows `_from`, and objects from a watch (raw JSON) carry `from`. Convert both ways at this edge.
 */
type Rule = { from?: unknown; _from?: unknown; [k: string]: unknown };
function mapRules(policy: object, rename: (rule: Rule) => Rule): object {
  const p = policy as { spec?: { ingress?: Rule[] } };
  if (!p.spec?.ingress) return policy;
  return { ...p, spec: { ...p.spec, ingress: p.spec.ingress.map(rename) } };
}
/** The wire shape (`from`) of a NetworkPolicy from client-node's model or from a watch. */
export function toWireNetworkPolicy<T extends object | undefined>(policy: T): T {
  if (!policy) return policy;
  return mapRules(policy, ({ _from, ...rest }) =>
    _from === undefined ? rest : { ...rest, from: _from },
  ) as T;
}
/** client-node's model (`_from`) of a wire NetworkPolicy, for its serializer. */
export function toModelNetworkPolicy(policy: NetworkPolicy): V1NetworkPolicy {
  return mapRules(policy, ({ from, ...rest }) =>
    from === undefined ? rest : { ...rest, _from: from },
  ) as V1NetworkPolicy;
}

const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

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
}

export class ClientNodeKubeApi implements KubeApi {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly networking: NetworkingV1Api;
  private readonly policy: PolicyV1Api;

  constructor(clients: ApiClients) {
    ({
      core: this.core,
      apps: this.apps,
      custom: this.custom,
      networking: this.networking,
      policy: this.policy,
    } = clients);
  }

  getNetwork(namespace: string, name: string): Promise<BitcoinNetwork | undefined> {
    return orUndefined(
      () =>
        this.custom.getNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          plural: PLURAL,
          namespace,
          name,
        }) as Promise<BitcoinNetwork>,
    );
  }

  replaceNetworkStatus(network: BitcoinNetwork): Promise<BitcoinNetwork> {
    return call(
      () =>
        this.custom.replaceNamespacedCustomObjectStatus({
          group: GROUP,
          version: VERSION,
          plural: PLURAL,
          namespace: network.metadata?.namespace ?? '',
          name: network.metadata?.name ?? '',
          body: network,
        }) as Promise<BitcoinNetwork>,
    );
  }

  getSecret(namespace: string, name: string): Promise<V1Secret | undefined> {
    return orUndefined(() => this.core.readNamespacedSecret({ namespace, name }));
  }

  createSecret(namespace: string, body: V1Secret): Promise<V1Secret> {
    return call(() => this.core.createNamespacedSecret({ namespace, body }));
  }

  getService(namespace: string, name: string): Promise<V1Service | undefined> {
    return orUndefined(() => this.core.readNamespacedService({ namespace, name }));
  }

  createService(namespace: string, body: V1Service): Promise<V1Service> {
    return call(() => this.core.createNamespacedService({ namespace, body }));
  }

  patchService(namespace: string, name: string, patch: object): Promise<V1Service> {
    return call(() =>
      this.core.patchNamespacedService({ namespace, name, body: patch }, mergePatch()),
    );
  }

  getStatefulSet(namespace: string, name: string): Promise<V1StatefulSet | undefined> {
    return orUndefined(() => this.apps.readNamespacedStatefulSet({ namespace, name }));
  }

  createStatefulSet(namespace: string, body: V1StatefulSet): Promise<V1StatefulSet> {
    return call(() => this.apps.createNamespacedStatefulSet({ namespace, body }));
  }

  patchStatefulSet(namespace: string, name: string, patch: object): Promise<V1StatefulSet> {
    return call(() =>
      this.apps.patchNamespacedStatefulSet({ namespace, name, body: patch }, mergePatch()),
    );
  }

  async getNetworkPolicy(namespace: string, name: string): Promise<NetworkPolicy | undefined> {
    return toWireNetworkPolicy(
      await orUndefined(() => this.networking.readNamespacedNetworkPolicy({ namespace, name })),
    ) as NetworkPolicy | undefined;
  }

  async createNetworkPolicy(namespace: string, body: NetworkPolicy): Promise<NetworkPolicy> {
    return toWireNetworkPolicy(
      await call(() =>
        this.networking.createNamespacedNetworkPolicy({
          namespace,
          body: toModelNetworkPolicy(body),
        }),
      ),
    ) as NetworkPolicy;
  }

  async patchNetworkPolicy(namespace: string, name: string, patch: object): Promise<NetworkPolicy> {
    // A patch body goes out as plain JSON: it keeps the wire name `from`.
    return toWireNetworkPolicy(
      await call(() =>
        this.networking.patchNamespacedNetworkPolicy(
          { namespace, name, body: patch },
          mergePatch(),
        ),
      ),
    ) as NetworkPolicy;
  }

  getPodDisruptionBudget(
    namespace: string,
    name: string,
  ): Promise<V1PodDisruptionBudget | undefined> {
    return orUndefined(() => this.policy.readNamespacedPodDisruptionBudget({ namespace, name }));
  }

  createPodDisruptionBudget(
    namespace: string,
    body: V1PodDisruptionBudget,
  ): Promise<V1PodDisruptionBudget> {
    return call(() => this.policy.createNamespacedPodDisruptionBudget({ namespace, body }));
  }

  patchPodDisruptionBudget(
    namespace: string,
    name: string,
    patch: object,
  ): Promise<V1PodDisruptionBudget> {
    return call(() =>
      this.policy.patchNamespacedPodDisruptionBudget(
        { namespace, name, body: patch },
        mergePatch(),
      ),
    );
  }

  async createEvent(namespace: string, body: CoreV1Event): Promise<void> {
    await call(() => this.core.createNamespacedEvent({ namespace, body }));
  }
}

/** Lease times go out as MicroTime (RFC 3339 with microseconds), as the apiserver requires. */
function withMicroTimes(lease: V1Lease): V1Lease {
  const micro = (t: unknown) =>
    t === undefined || t === null ? undefined : new V1MicroTime(new Date(t as string | Date));
  if (!lease.spec) return lease;
  return {
    ...lease,
    spec: {
      ...lease.spec,
      acquireTime: micro(lease.spec.acquireTime),
      renewTime: micro(lease.spec.renewTime),
    },
  };
}

/** The Lease calls of leader election. */
export class ClientNodeLeaseApi implements LeaseApi {
  private readonly coordination: CoordinationV1Api;

  constructor(clients: ApiClients) {
    this.coordination = clients.coordination;
  }

  getLease(namespace: string, name: string): Promise<V1Lease | undefined> {
    return orUndefined(() => this.coordination.readNamespacedLease({ namespace, name }));
  }

  createLease(namespace: string, body: V1Lease): Promise<V1Lease> {
    return call(() =>
      this.coordination.createNamespacedLease({ namespace, body: withMicroTimes(body) }),
    );
  }

  replaceLease(namespace: string, name: string, body: V1Lease): Promise<V1Lease> {
    return call(() =>
      this.coordination.replaceNamespacedLease({ namespace, name, body: withMicroTimes(body) }),
    );
  }
}

/**
 * The informers. `statefulSets` and `pods` hold objects reduced to CachedStatefulSet and
 * CachedPod: read them through `informerListers`, whose types say so.
 */
export interface Informers {
  readonly networks: ResilientInformer<BitcoinNetwork>;
  readonly statefulSets: ResilientInformer<V1StatefulSet>;
  readonly services: ResilientInformer<V1Service>;
  readonly pods: ResilientInformer<V1Pod>;
  readonly secrets: ResilientInformer<V1Secret>;
  readonly networkPolicies: ResilientInformer<V1NetworkPolicy>;
  readonly podDisruptionBudgets: ResilientInformer<V1PodDisruptionBudget>;
}

export interface InformerHandlers {
  readonly network: (verb: EventVerb, obj: BitcoinNetwork) => void;
  readonly child: (verb: EventVerb, obj: KubernetesObject) => void;
  /** Told each informer restart after an error, e.g. for metrics. */
  readonly restarted?: (informer: string) => void;
}

/**
 * Informers for networks (all) and for the children the controller manages (label-selected), in
 * every namespace.
 */
export function makeInformers(
  clients: ApiClients,
  logger: Logger,
  handlers: InformerHandlers,
): Informers {
  const { kubeConfig: kc, core, apps, custom, networking, policy } = clients;
  const sel = CHILD_SELECTOR;
  const child = handlers.child;
  const onRestart = (name: string) => () => handlers.restarted?.(name);
  return {
    networks: new ResilientInformer(
      makeInformer<BitcoinNetwork>(kc, `/apis/${GROUP}/${VERSION}/${PLURAL}`, () =>
        custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL }),
      ),
      { name: PLURAL, logger, onEvent: handlers.network },
    ),
    statefulSets: new ResilientInformer(
      makeInformer<V1StatefulSet>(
        kc,
        '/apis/apps/v1/statefulsets',
        () => apps.listStatefulSetForAllNamespaces({ labelSelector: sel }),
        sel,
      ),
      {
        name: 'statefulsets',
        logger,
        onEvent: child,
        onRestart: onRestart('statefulsets'),
        transform: projectStatefulSet,
      },
    ),
    services: new ResilientInformer(
      makeInformer<V1Service>(
        kc,
        '/api/v1/services',
        () => core.listServiceForAllNamespaces({ labelSelector: sel }),
        sel,
      ),
      { name: 'services', logger, onEvent: child, onRestart: onRestart('services') },
    ),
    pods: new ResilientInformer(
      makeInformer<V1Pod>(
        kc,
        '/api/v1/pods',
        () => core.listPodForAllNamespaces({ labelSelector: sel }),
        sel,
      ),
      {
        name: 'pods',
        logger,
        onEvent: child,
        onRestart: onRestart('pods'),
        transform: projectPod,
      },
    ),
    secrets: new ResilientInformer(
      makeInformer<V1Secret>(
        kc,
        '/api/v1/secrets',
        () => core.listSecretForAllNamespaces({ labelSelector: sel }),
        sel,
      ),
      { name: 'secrets', logger, onEvent: child, onRestart: onRestart('secrets') },
    ),
    networkPolicies: new ResilientInformer(
      makeInformer<V1NetworkPolicy>(
        kc,
        '/apis/networking.k8s.io/v1/networkpolicies',
        () => networking.listNetworkPolicyForAllNamespaces({ labelSelector: sel }),
        sel,
      ),
      { name: 'networkpolicies', logger, onEvent: child, onRestart: onRestart('networkpolicies') },
    ),
    podDisruptionBudgets: new ResilientInformer(
      makeInformer<V1PodDisruptionBudget>(
        kc,
        '/apis/policy/v1/poddisruptionbudgets',
        () => policy.listPodDisruptionBudgetForAllNamespaces({ labelSelector: sel }),
        sel,
      ),
      {
        name: 'poddisruptionbudgets',
        logger,
        onEvent: child,
        onRestart: onRestart('poddisruptionbudgets'),
      },
    ),
  };
}

/** Listers over the informers' caches. */
export function informerListers(inf: Informers): Listers {
  return {
    network: (ns, name) => inf.networks.get(name, ns),
    secret: (ns, name) => inf.secrets.get(name, ns),
    service: (ns, name) => inf.services.get(name, ns),
    statefulSet: (ns, name) => inf.statefulSets.get(name, ns),
    networkPolicy: (ns, name) =>
      toWireNetworkPolicy(inf.networkPolicies.get(name, ns)) as NetworkPolicy | undefined,
    podDisruptionBudget: (ns, name) => inf.podDisruptionBudgets.get(name, ns),
    pods: (ns, network) =>
      inf.pods.list(ns).filter((p) => p.metadata?.labels?.[LABEL_INSTANCE] === network),
  };
}
