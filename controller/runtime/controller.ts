/**
 * The loop: event handlers put `namespace/name` keys on the queue, workers take keys and run one
 * level-based sync each. I/O is at the edges (KubeApi, Listers, BitcoinRpc, AddressResolver), so
 * the whole loop runs against fakes in tests.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { BitcoinNetwork, CHILD_KINDS, CHILD_NAMES, rpcAuthSecretName } from '../api';
import { generateCredentials } from '../bitcoin/credentials';
import { AddressResolver, PodIpResolver } from '../bitcoin/resolver';
import type { BitcoinRpc } from '../bitcoin/rpc';
import { describeRpcFailure, isBenignAddNodeError } from '../bitcoin/rpc-errors';
import { retryAfterMs } from '../kube/errors';
import { listerName } from '../kube/kinds';
import { getObject, KubeApi, Listers } from '../kube/ports';
import { MeshNode, planMesh } from '../reconcile/mesh';
import { Observed, Plan, Problem, REASON_RPC_ERROR, REASON_SYNC_ERROR } from '../reconcile/plan';
import { reconcile } from '../reconcile/reconcile';
import { desiredStatus, transitionEvents } from '../reconcile/status';
import { applyActions, EventRecorder, writeStatus } from './apply';
import { keyOf, ownerKeyOf, splitKey } from './keys';
import { WorkQueue } from './queue';

type Lister = (namespace: string, name: string) => unknown;

/** Each child kind with the name of its lister, which is also its key in `Observed`. */
const CHILD_LISTERS = CHILD_KINDS.map((kind) => ({ kind, key: listerName(kind) }));

/** How the processing of one key ended; the metrics count passes by it. */
export type SyncOutcome = 'ok' | 'degraded' | 'error' | 'skipped';

export interface ControllerOptions {
  readonly api: KubeApi;
  readonly listers: Listers;
  readonly rpc: BitcoinRpc;
  readonly logger: Logger;
  /** @default PodIpResolver */
  readonly resolver?: AddressResolver;
  /** @default a WorkQueue with the default rate limiter */
  readonly queue?: WorkQueue;
  /** Period of the mesh and status re-check of a healthy network. @default 30000 */
  readonly resyncMs?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default crypto.randomBytes */
  readonly randomBytes?: (n: number) => Buffer;
  /** Told the outcome and duration of every processed key, e.g. for metrics. */
  readonly onSync?: (outcome: SyncOutcome, seconds: number) => void;
  /** Told each time a key is put back with backoff, e.g. for metrics. */
  readonly onRetry?: (key: string) => void;
}

/** Why a sync asks to be retried with backoff; carries the problems it reported. */
export class SyncError extends Error {
  constructor(
    readonly key: string,
    readonly problems: readonly Problem[],
    options?: { cause?: unknown },
  ) {
    super(`${key}: ${problems.map((p) => `${p.reason}: ${p.message}`).join('; ')}`, options);
    this.name = 'SyncError';
  }
}

export interface SyncResult {
  /** Why nothing was done, if nothing was. */
  readonly skipped?: 'gone' | 'deleting';
  /** Re-check the key after this long. */
  readonly requeueAfterMs?: number;
  readonly statusWritten?: boolean;
}

export class BitcoinNetworkController {
  readonly queue: WorkQueue;
  private readonly api: KubeApi;
  private readonly listers: Listers;
  private readonly rpc: BitcoinRpc;
  private readonly resolver: AddressResolver;
  private readonly logger: Logger;
  private readonly recorder: EventRecorder;
  private readonly resyncMs: number;
  private readonly now: () => Date;
  private readonly randomBytes: (n: number) => Buffer;
  private readonly onSync?: ControllerOptions['onSync'];
  private readonly onRetry?: ControllerOptions['onRetry'];
  private workers: Promise<void>[] = [];

  constructor(options: ControllerOptions) {
    this.api = options.api;
    this.listers = options.listers;
    this.rpc = options.rpc;
    this.logger = options.logger;
    this.resolver = options.resolver ?? new PodIpResolver();
    this.queue = options.queue ?? new WorkQueue();
    this.resyncMs = options.resyncMs ?? 30_000;
    this.now = options.now ?? (() => new Date());
    this.randomBytes = options.randomBytes ?? cryptoRandomBytes;
    this.onSync = options.onSync;
    this.onRetry = options.onRetry;
    this.recorder = new EventRecorder(this.api, this.logger, this.now);
  }

  /** Handler for BitcoinNetwork add, update and delete events. */
  enqueueNetwork(obj: { metadata?: { namespace?: string; name?: string } }): void {
    const ns = obj.metadata?.namespace;
    const name = obj.metadata?.name;
    if (ns && name) this.queue.add(keyOf(ns, name));
  }

  /**
   * Handler for events of children (StatefulSets, Services, Secrets, Pods): queue the network
   * that controls the object, found through its controller ownerReference.
   */
  enqueueOwner(obj: Parameters<typeof ownerKeyOf>[0]): void {
    const key = ownerKeyOf(obj, (ns, name) => this.listers.statefulSet(ns, name));
    if (key) this.queue.add(key);
  }

  /** Start `count` workers; they stop when the queue is shut down. */
  start(count: number): void {
    if (!Number.isInteger(count) || count < 1) {
      throw new Error(`workers must be a positive integer, got ${count}`);
    }
    for (let i = 0; i < count; i++) this.workers.push(this.worker(i));
  }

  /** Stop taking new keys, finish the keys in flight, and wait for the workers to return. */
  async shutdown(): Promise<void> {
    await this.queue.shutDownWithDrain();
    await Promise.all(this.workers);
    this.workers = [];
  }

  private async worker(id: number): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      await this.processKey(key, id);
    }
  }

  /** One queue item: sync, then forget or back off, then done. Never throws. */
  async processKey(key: string, worker = 0): Promise<void> {
    const log = this.logger.child({ key, worker });
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const result = await this.sync(key);
      this.queue.forget(key);
      if (result.requeueAfterMs !== undefined) this.queue.addAfter(key, result.requeueAfterMs);
      this.onSync?.(result.skipped ? 'skipped' : 'ok', seconds());
    } catch (err) {
      // A server that says when to come back (429 with Retry-After) is obeyed; anything else
      // backs off exponentially per key.
      const serverDelay = retryAfterMs(err);
      if (serverDelay === undefined) this.queue.addRateLimited(key);
      else this.queue.addAfter(key, serverDelay);
      this.onRetry?.(key);
      const retries = this.queue.numRequeues(key);
      if (err instanceof SyncError) {
        log.warn({ problems: err.problems, retries }, 'sync degraded');
        this.onSync?.('degraded', seconds());
      } else {
        log.error({ err, retries }, 'sync failed');
        this.onSync?.('error', seconds());
      }
    } finally {
      this.queue.done(key);
    }
  }

  /**
   * One level-based pass for a key: read, plan, write children, mesh, write status if changed.
   * Throws SyncError when the network is degraded, so the key is retried with backoff.
   */
  async sync(key: string): Promise<SyncResult> {
    const { namespace: ns, name } = splitKey(key);
    const network = this.listers.network(ns, name) as BitcoinNetwork | undefined;
    if (!network) return { skipped: 'gone' };
    if (network.metadata?.deletionTimestamp) return { skipped: 'deleting' };
    const log = this.logger.child({ network: key, generation: network.metadata?.generation });

    const observed = await this.observe(network);
    const plan = reconcile(observed, {
      newCredentials: () => generateCredentials(this.randomBytes),
    });

    const problems: Problem[] = [...plan.problems];
    let cause: unknown;
    try {
      await applyActions(this.api, this.recorder, network, plan.actions, log);
    } catch (err) {
      cause = err;
      problems.push({ reason: REASON_SYNC_ERROR, message: describeRpcFailure(err) });
    }
    problems.push(...(await this.syncMesh(network, plan, log)));

    const status = desiredStatus({
      network,
      pods: observed.pods,
      problems,
      statefulSetPresent: plan.statefulSetPresent,
      // metav1.Time precision: whole seconds.
      now: this.now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
    });
    const statusWritten = await writeStatus(this.api, network, status);
    if (statusWritten) log.debug({ readyNodes: status.readyNodes }, 'status updated');
    for (const ev of transitionEvents(network.status, status)) {
      if (ev.type === 'event') {
        await this.recorder.record(network, ev.eventType, ev.reason, ev.message);
      }
    }
    if (problems.length > 0) throw new SyncError(key, problems, { cause });
    return { requeueAfterMs: this.resyncMs, statusWritten };
  }

  /** Gather the network's children: from the caches, or by GET when the cache lacks them. */
  private async observe(network: BitcoinNetwork): Promise<Observed> {
    const ns = network.metadata?.namespace ?? '';
    const name = network.metadata?.name ?? '';
    const named = network.spec.rpcSecretName;
    const listers = this.listers as unknown as Record<string, Lister>;
    const children: Record<string, unknown> = {};
    for (const { kind, key } of CHILD_LISTERS) {
      // A user-named Secret is not labelled for our informer: read it from the API.
      if (kind === 'Secret' && named) {
        children[key] = await getObject(this.api, kind, ns, named);
        continue;
      }
      const childName = CHILD_NAMES[kind](name);
      children[key] =
        listers[key](ns, childName) ?? (await getObject(this.api, kind, ns, childName));
    }
    if (named) {
      // Ours, so labelled and cached; beside a user-named Secret only.
      const owned = rpcAuthSecretName(name);
      children.rpcAuthSecret =
        this.listers.secret(ns, owned) ?? (await getObject(this.api, 'Secret', ns, owned));
    }
    return { ...children, network, pods: this.listers.pods(ns, name) };
  }

  /** Make every ready node know every other ready node. One failing node never stops the rest. */
  private async syncMesh(network: BitcoinNetwork, plan: Plan, log: Logger): Promise<Problem[]> {
    const creds = plan.credentials;
    if (!creds || plan.meshNodes.length === 0) return [];
    const ns = network.metadata?.namespace ?? '';
    const results = await Promise.allSettled(
      plan.meshNodes.map((node) => this.meshNode(ns, node, plan.meshNodes, creds, log)),
    );
    const failures: string[] = [];
    results.forEach((r, i) => {
      if (r.status === 'rejected') {
        failures.push(`pod ${plan.meshNodes[i].podName}: ${describeRpcFailure(r.reason)}`);
      }
    });
    if (failures.length === 0) return [];
    return [{ reason: REASON_RPC_ERROR, message: `RPC mesh failed: ${failures.join('; ')}` }];
  }

  private async meshNode(
    namespace: string,
    node: MeshNode,
    ready: readonly MeshNode[],
    creds: { username: string; password: string },
    log: Logger,
  ): Promise<void> {
    const at = this.resolver.resolve({ namespace, name: node.podName, ip: node.ip });
    const endpoint = { ...at, username: creds.username, password: creds.password };
    const info = await this.rpc.getAddedNodeInfo(endpoint);
    const ops = planMesh(
      node,
      info.map((i) => i.addednode),
      ready,
    );
    for (const op of ops) {
      try {
        await this.rpc.addNode(endpoint, op.peer, op.command);
      } catch (err) {
        if (!isBenignAddNodeError(err)) throw err;
      }
      log.info({ pod: node.podName, peer: op.peer, command: op.command }, 'addnode');
    }
  }
}
