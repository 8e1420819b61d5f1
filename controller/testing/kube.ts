/**
 * A fake Kubernetes API in the spirit of client-go's fake clientset: an object tracker, a log of
 * every call, and reactors that let a test answer a call with its own result or error.
 *
 * It implements both `KubeApi` (the calls, recorded) and `Listers` (the informer caches, not
 * recorded: they are the tracker seen through the children's label selector). Objects it hands out
 * are deep-frozen, so code that mutates a cached object fails loudly in tests.
 */
import type {
  CoreV1Event,
  KubernetesObject,
  V1Lease,
  V1Pod,
  V1StatefulSet,
} from '@kubernetes/client-node';
import {
  BitcoinNetwork,
  CHILD_KINDS,
  Kind,
  KIND_NAMES,
  kindInfo,
  LABEL_INSTANCE,
  LABEL_MANAGED_BY,
  MANAGED_BY,
  PluralOf,
  podName,
} from '../api';
import { CachedPod, projectPod } from '../kube/cached';
import { alreadyExists, conflict, notFound } from './api-errors';
import { kindCalls, listerName, PROJECTIONS } from '../kube/kinds';
import { applyMergePatch, deepFreeze, isReady, podFor } from './objects';
import type { KubeApi, LeaseApi, Listers, NetworkCalls } from '../kube/ports';

/** The resources the tracker stores: networks, leases and the plurals of the kinds table. */
export type Resource = 'bitcoinnetworks' | 'leases' | PluralOf<Kind>;

export type Verb = 'get' | 'create' | 'update' | 'patch';

export interface Call {
  readonly verb: Verb;
  readonly resource: Resource;
  readonly subresource?: 'status';
  readonly namespace: string;
  readonly name: string;
  readonly body?: unknown;
}

/** Return undefined to let the next reactor (or the tracker) handle the call. */
export type Reactor = (call: Call) => { result?: unknown; error?: Error } | undefined;

const WRITE_VERBS: readonly Verb[] = ['create', 'update', 'patch'];

type Obj = KubernetesObject & { spec?: unknown; status?: unknown };

class Tracker implements NetworkCalls, LeaseApi {
  readonly calls: Call[] = [];
  private readonly store = new Map<Resource, Map<string, Obj>>();
  /** Reduced copies of stored pods and StatefulSets, by stored object (see `reduced`). */
  private readonly reducedCopies = new WeakMap<object, object>();
  private readonly reactors: Array<{ verb: Verb | '*'; resource: Resource | '*'; fn: Reactor }> =
    [];
  /** Calls whose answers come late (see `delayAnswers`). */
  private readonly delays: Array<{ verb: Verb; resource: Resource; ms: number; left: number }> = [];
  private uidSeq = 0;
  private rvSeq = 0;

  constructor(private readonly now: () => Date = () => new Date('2026-01-01T00:00:00Z')) {
    this.installKinds();
  }

  // ---- test helpers (not recorded) ----

  /** Put an object in the tracker as if it had been created; fills uid, resourceVersion. */
  seed<T extends Obj>(resource: Resource, obj: T): T {
    const copy = structuredClone(obj) as Obj;
    copy.metadata = {
      ...copy.metadata,
      uid: copy.metadata?.uid ?? this.nextUid(),
      resourceVersion: this.nextRv(),
      generation: copy.metadata?.generation ?? 1,
      creationTimestamp: copy.metadata?.creationTimestamp ?? this.now(),
    };
    return this.put(resource, copy) as T;
  }

  /** The tracker's object, or undefined. */
  object<T extends Obj = Obj>(resource: Resource, namespace: string, name: string): T | undefined {
    return this.bucket(resource).get(`${namespace}/${name}`) as T | undefined;
  }

  list<T extends Obj = Obj>(resource: Resource, namespace?: string): T[] {
    return [...this.bucket(resource).values()].filter(
      (o) => namespace === undefined || o.metadata?.namespace === namespace,
    ) as T[];
  }

  /** Delete from the tracker, as a user or the garbage collector would. */
  remove(resource: Resource, namespace: string, name: string): void {
    this.bucket(resource).delete(`${namespace}/${name}`);
  }

  /** Change an object from outside the controller (kubectl edit); bumps generation on spec. */
  edit<T extends Obj>(resource: Resource, namespace: string, name: string, fn: (o: T) => void): T {
    const current = this.object<T>(resource, namespace, name);
    if (!current) throw new Error(`fake: ${resource} ${namespace}/${name} does not exist`);
    const copy = structuredClone(current) as T;
    fn(copy);
    return this.bump(resource, current, copy) as T;
  }

  /** Answer matching calls with `fn` before the tracker does. Later reactors run first. */
  prependReactor(verb: Verb | '*', resource: Resource | '*', fn: Reactor): void {
    this.reactors.unshift({ verb, resource, fn });
  }

  /** Fail the next `times` matching calls with `error`. */
  failNext(verb: Verb, resource: Resource, error: Error, times = 1): void {
    let left = times;
    this.prependReactor(verb, resource, () => (left-- > 0 ? { error } : undefined));
  }

  /**
   * Answer the next `times` matching calls `ms` late. Each call takes effect at once, as on a
   * server that has committed it; only its answer is slow to come back, as over a congested
   * network.
   */
  delayAnswers(verb: Verb, resource: Resource, ms: number, times = 1): void {
    this.delays.push({ verb, resource, ms, left: times });
  }

  writes(): Call[] {
    return this.calls.filter((c) => WRITE_VERBS.includes(c.verb));
  }

  /** Calls as short strings, e.g. "create statefulsets ns/x-sts", "update bitcoinnetworks/status ns/x". */
  callLog(filter: (c: Call) => boolean = () => true): string[] {
    return this.calls
      .filter(filter)
      .map(
        (c) =>
          `${c.verb} ${c.resource}${c.subresource ? `/${c.subresource}` : ''} ${c.namespace}/${c.name}`,
      );
  }

  clearCalls(): void {
    this.calls.length = 0;
  }

  events(): CoreV1Event[] {
    return this.list<CoreV1Event & Obj>('events');
  }

  /**
   * Play the StatefulSet controller and kubelet: make each StatefulSet's pods match its replicas,
   * with IP 10.<n/256>.<n%256>.<ordinal+1> for the n-th StatefulSet, ready or not.
   */
  runStatefulSets(options: { ready?: boolean } = {}): void {
    const ready = options.ready ?? true;
    let n = 0;
    for (const sts of this.list<V1StatefulSet & Obj>('statefulsets')) {
      n++;
      const ns = sts.metadata?.namespace ?? '';
      const network = sts.metadata?.labels?.[LABEL_INSTANCE] ?? '';
      const replicas = sts.spec?.replicas ?? 1;
      for (const pod of this.list<V1Pod & Obj>('pods', ns)) {
        const m = /-(\d+)$/.exec(pod.metadata?.name ?? '');
        if (pod.metadata?.name?.startsWith(`${sts.metadata?.name}-`) && m && +m[1] >= replicas) {
          this.remove('pods', ns, pod.metadata?.name ?? '');
        }
      }
      for (let i = 0; i < replicas; i++) {
        const name = podName(network, i);
        const existing = this.object<V1Pod & Obj>('pods', ns, name);
        const ip = `10.${(n >> 8) & 255}.${n & 255}.${i + 1}`;
        const pod = podFor(network, ns, i, { ready, ip });
        pod.metadata!.ownerReferences = [
          {
            apiVersion: 'apps/v1',
            kind: 'StatefulSet',
            name: sts.metadata?.name ?? '',
            uid: sts.metadata?.uid ?? '',
            controller: true,
          },
        ];
        if (!existing) this.seed('pods', pod);
        else if (isReady(existing) !== ready) {
          this.edit<V1Pod & Obj>('pods', ns, name, (p) => {
            p.status = pod.status;
          });
        }
      }
    }
  }

  // ---- Listers: the informer caches (children filtered by the managed-by label) ----

  network(namespace: string, name: string): BitcoinNetwork | undefined {
    return this.object<BitcoinNetwork>('bitcoinnetworks', namespace, name);
  }

  pods(namespace: string, network: string): CachedPod[] {
    return this.list<V1Pod & Obj>('pods', namespace)
      .filter(
        (p) =>
          p.metadata?.labels?.[LABEL_MANAGED_BY] === MANAGED_BY &&
          p.metadata?.labels?.[LABEL_INSTANCE] === network,
      )
      .map((p) => this.reduced(p, projectPod) as CachedPod);
  }

  // ---- KubeApi: the network calls; those of the kinds table are made in the constructor ----

  getNetwork(namespace: string, name: string): Promise<BitcoinNetwork | undefined> {
    return this.getCall('bitcoinnetworks', namespace, name);
  }

  replaceNetworkStatus(network: BitcoinNetwork): Promise<BitcoinNetwork> {
    const namespace = network.metadata?.namespace ?? '';
    const name = network.metadata?.name ?? '';
    return this.invoke(
      {
        verb: 'update',
        resource: 'bitcoinnetworks',
        subresource: 'status',
        namespace,
        name,
        body: network,
      },
      () => {
        const current = this.object<BitcoinNetwork>('bitcoinnetworks', namespace, name);
        if (!current) throw notFound('bitcoinnetworks', name);
        if (network.metadata?.resourceVersion !== current.metadata?.resourceVersion) {
          throw conflict('bitcoinnetworks.bitcoin.eksplatform.dev', name);
        }
        const copy = structuredClone(current) as BitcoinNetwork;
        copy.status = structuredClone(network.status);
        copy.metadata = { ...copy.metadata, resourceVersion: this.nextRv() };
        return this.put('bitcoinnetworks', copy as Obj);
      },
    ) as Promise<BitcoinNetwork>;
  }

  /** The calls and listers of every kind in the table, on the tracker. */
  private installKinds(): void {
    const self = this as unknown as Record<string, unknown>;
    for (const kind of KIND_NAMES) {
      const resource = kindInfo(kind).plural as Resource;
      for (const { method, verb } of kindCalls(kind)) {
        self[method] =
          verb === 'get'
            ? (ns: string, name: string) => this.getCall(resource, ns, name)
            : verb === 'create'
              ? (ns: string, body: Obj) => this.createCall(resource, ns, body)
              : (ns: string, name: string, patch: object) =>
                  this.patchCall(resource, ns, name, patch);
      }
    }
    for (const kind of CHILD_KINDS) {
      const resource = kindInfo(kind).plural as Resource;
      const project = (PROJECTIONS as Record<string, ((o: Obj) => void) | undefined>)[kind];
      self[listerName(kind)] = (ns: string, name: string) => {
        const obj = this.cached<Obj>(resource, ns, name);
        return project ? this.reduced(obj, project) : obj;
      };
    }
  }

  // ---- LeaseApi ----

  getLease(namespace: string, name: string): Promise<V1Lease | undefined> {
    return this.getCall('leases', namespace, name);
  }

  createLease(namespace: string, body: V1Lease): Promise<V1Lease> {
    return this.createCall('leases', namespace, body as Obj) as Promise<V1Lease>;
  }

  /** An update guarded by resourceVersion, as the apiserver does it: 409 Conflict when stale. */
  replaceLease(namespace: string, name: string, body: V1Lease): Promise<V1Lease> {
    return this.invoke({ verb: 'update', resource: 'leases', namespace, name, body }, () => {
      const current = this.object('leases', namespace, name);
      if (!current) throw notFound('leases', name);
      if (body.metadata?.resourceVersion !== current.metadata?.resourceVersion) {
        throw conflict('leases.coordination.k8s.io', name);
      }
      const next = structuredClone(body) as Obj;
      next.metadata = { ...current.metadata, resourceVersion: this.nextRv() };
      return this.put('leases', next);
    }) as Promise<V1Lease>;
  }

  // ---- internals ----

  private async invoke(call: Call, tracker: () => unknown): Promise<unknown> {
    this.calls.push(call);
    // Let the caller continue asynchronously, as a real client would.
    await Promise.resolve();
    const delay = this.delays.find(
      (d) => d.left > 0 && d.verb === call.verb && d.resource === call.resource,
    );
    if (!delay) return this.answer(call, tracker);
    delay.left--;
    // The call takes effect now; the caller hears of it later.
    let outcome: { result?: unknown; error?: unknown };
    try {
      outcome = { result: this.answer(call, tracker) };
    } catch (error) {
      outcome = { error };
    }
    await new Promise((resolve) => setTimeout(resolve, delay.ms));
    if ('error' in outcome) throw outcome.error;
    return outcome.result;
  }

  /** The reactors' answer to `call`, else the tracker's; throws the error of either. */
  private answer(call: Call, tracker: () => unknown): unknown {
    for (const r of this.reactors) {
      if (
        (r.verb === '*' || r.verb === call.verb) &&
        (r.resource === '*' || r.resource === call.resource)
      ) {
        const out = r.fn(call);
        if (out?.error) throw out.error;
        if (out) return out.result;
      }
    }
    return tracker();
  }

  private getCall<T>(resource: Resource, namespace: string, name: string): Promise<T | undefined> {
    return this.invoke({ verb: 'get', resource, namespace, name }, () =>
      this.object(resource, namespace, name),
    ) as Promise<T | undefined>;
  }

  private createCall<T extends Obj>(resource: Resource, namespace: string, body: T): Promise<T> {
    const name = body.metadata?.name ?? '';
    return this.invoke({ verb: 'create', resource, namespace, name, body }, () => {
      if (this.object(resource, namespace, name)) throw alreadyExists(resource, name);
      return this.seed(resource, { ...body, metadata: { ...body.metadata, namespace } });
    }) as Promise<T>;
  }

  private patchCall<T>(
    resource: Resource,
    namespace: string,
    name: string,
    patch: object,
  ): Promise<T> {
    return this.invoke({ verb: 'patch', resource, namespace, name, body: patch }, () => {
      const current = this.object(resource, namespace, name);
      if (!current) throw notFound(resource, name);
      const next = applyMergePatch(structuredClone(current), patch) as Obj;
      return this.bump(resource, current, next);
    }) as Promise<T>;
  }

  private bump(resource: Resource, before: Obj, after: Obj): Obj {
    const specChanged = JSON.stringify(before.spec) !== JSON.stringify(after.spec);
    after.metadata = {
      ...after.metadata,
      resourceVersion: this.nextRv(),
      generation: (before.metadata?.generation ?? 1) + (specChanged ? 1 : 0),
    };
    return this.put(resource, after);
  }

  /**
   * `obj` reduced as the real informer caches it: one frozen copy per stored version (stored
   * objects are replaced, never changed), so repeated reads return the same object, as a cache's do.
   */
  private reduced<T extends object>(obj: T | undefined, project: (o: T) => void): T | undefined {
    if (!obj) return undefined;
    let copy = this.reducedCopies.get(obj) as T | undefined;
    if (!copy) {
      copy = structuredClone(obj);
      project(copy);
      this.reducedCopies.set(obj, deepFreeze(copy));
    }
    return copy;
  }

  private cached<T>(resource: Resource, namespace: string, name: string): T | undefined {
    const obj = this.object(resource, namespace, name);
    return obj?.metadata?.labels?.[LABEL_MANAGED_BY] === MANAGED_BY ? (obj as T) : undefined;
  }

  private put(resource: Resource, obj: Obj): Obj {
    const frozen = deepFreeze(obj);
    this.bucket(resource).set(
      `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`,
      frozen,
    );
    return frozen;
  }

  private bucket(resource: Resource): Map<string, Obj> {
    let b = this.store.get(resource);
    if (!b) this.store.set(resource, (b = new Map()));
    return b;
  }

  private nextUid(): string {
    return `00000000-0000-4000-8000-${(++this.uidSeq).toString(16).padStart(12, '0')}`;
  }

  private nextRv(): string {
    return String(++this.rvSeq);
  }
}

/** The fake: the tracker, with a call per verb of every kind in the table and their listers. */
export type FakeKube = Tracker & KubeApi & Listers;
export const FakeKube = Tracker as new (now?: () => Date) => FakeKube;
