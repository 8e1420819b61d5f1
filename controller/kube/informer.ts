/**
 * Informers that survive watch errors.
 *
 * client-node's informer re-lists after a 410 Gone and re-watches after a server timeout, but on
 * any other error it calls its error handlers and stops. `ResilientInformer` restarts it after an
 * exponential backoff and tells when the first list has completed.
 */
import type { Informer, KubernetesObject, ObjectCache } from '@kubernetes/client-node';
import type { Logger } from 'pino';

export type EventVerb = 'add' | 'update' | 'delete';

export interface ResilientInformerOptions<T> {
  /** Name for logs, e.g. "statefulsets". */
  readonly name: string;
  readonly logger: Logger;
  /**
   * Called for every add, update and delete: for add and update with the object as the cache
   * holds it, for delete with the last state the server sent.
   */
  readonly onEvent: (verb: EventVerb, obj: T) => void;
  /**
   * Reduces an object, in place, to the fields the controller reads, as it enters the cache (as
   * client-go's informer transforms do). `metadata.managedFields` are dropped from every object.
   */
  readonly transform?: (obj: T) => void;
  /** @default 500 */
  readonly initialBackoffMs?: number;
  /** @default 60000 */
  readonly maxBackoffMs?: number;
  /**
   * How long the informer may stay in error (failing to list or watch, through its restarts)
   * before `health()` reports it stuck. @default 2 * maxBackoffMs
   */
  readonly stuckAfterMs?: number;
  /**
   * How long a watch may run without being re-established before `health()` reports it stuck.
   * The apiserver ends every watch after 30 to 60 minutes (`--min-request-timeout` 1800 s), so a
   * watch older than that is most likely a dead connection. @default 90 minutes
   */
  readonly maxWatchAgeMs?: number;
  /** Told each restart after an error, e.g. for metrics. */
  readonly onRestart?: () => void;
  /** @default Date.now */
  readonly now?: () => number;
}

/** Whether an informer is working; `reason` says why not. */
export interface InformerHealth {
  readonly ok: boolean;
  readonly reason?: string;
}

export class ResilientInformer<T extends KubernetesObject> implements ObjectCache<T> {
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private backoffMs: number;
  private timer?: NodeJS.Timeout;
  private stopped = true;
  private failedSinceStart = false;
  private synced = false;
  private restarts = 0;
  private readonly syncWaiters: Array<() => void> = [];
  private readonly stuckAfterMs: number;
  private readonly maxWatchAgeMs: number;
  private readonly now: () => number;
  /** Since when every attempt has failed; undefined while healthy. */
  private errorSince?: number;
  /** When the list/watch was last (re)established. */
  private lastConnect?: number;

  constructor(
    private readonly inner: Informer<T> & ObjectCache<T>,
    private readonly options: ResilientInformerOptions<T>,
  ) {
    this.initialBackoffMs = options.initialBackoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 60_000;
    this.backoffMs = this.initialBackoffMs;
    this.stuckAfterMs = options.stuckAfterMs ?? 2 * this.maxBackoffMs;
    this.maxWatchAgeMs = options.maxWatchAgeMs ?? 90 * 60_000;
    this.now = options.now ?? Date.now;
    // client-node emits "connect" each time it re-lists or re-watches on its own.
    inner.on('connect', () => {
      this.lastConnect = this.now();
    });
    inner.on('add', (obj: T) => options.onEvent('add', this.admit(obj)));
    inner.on('update', (obj: T) => options.onEvent('update', this.admit(obj)));
    inner.on('delete', (obj: T) => options.onEvent('delete', obj));
    inner.on('error', (err: unknown) => this.onError(err));
  }

  /** Start listing and watching. Resolves after the first attempt, successful or not. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inner.stop();
  }

  /** Whether a list has completed since start. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once a list has completed. */
  whenSynced(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /**
   * Liveness: not ok when the informer has been failing for longer than `stuckAfterMs`, or its
   * watch has not been re-established for `maxWatchAgeMs`. Before start and after stop it is ok.
   */
  health(): InformerHealth {
    if (this.stopped) return { ok: true };
    const now = this.now();
    if (this.errorSince !== undefined && now - this.errorSince > this.stuckAfterMs) {
      return {
        ok: false,
        reason: `${this.options.name}: failing for ${Math.round((now - this.errorSince) / 1000)} s`,
      };
    }
    if (this.lastConnect !== undefined && now - this.lastConnect > this.maxWatchAgeMs) {
      return {
        ok: false,
        reason: `${this.options.name}: watch not re-established for ${Math.round((now - this.lastConnect) / 1000)} s`,
      };
    }
    return { ok: true };
  }

  /** How many times the informer was restarted after an error. */
  restartCount(): number {
    return this.restarts;
  }

  get(name: string, namespace?: string): T | undefined {
    return this.inner.get(name, namespace);
  }

  list(namespace?: string): ReadonlyArray<T> {
    return this.inner.list(namespace);
  }

  /**
   * The one write to a cached object, made as it enters the cache and before anyone can read it.
   * Updates that omit the dropped fields leave the server's copy as it is.
   */
  private admit(obj: T): T {
    if (obj.metadata?.managedFields) delete obj.metadata.managedFields;
    this.options.transform?.(obj);
    return obj;
  }

  private async attempt(): Promise<void> {
    this.failedSinceStart = false;
    this.lastConnect = this.now();
    try {
      await this.inner.start();
    } catch (err) {
      this.onError(err);
    }
    if (this.failedSinceStart || this.stopped) return;
    this.backoffMs = this.initialBackoffMs;
    this.errorSince = undefined;
    if (!this.synced) {
      this.synced = true;
      this.syncWaiters.splice(0).forEach((r) => r());
    }
  }

  private onError(err: unknown): void {
    this.failedSinceStart = true;
    this.errorSince ??= this.now();
    if (this.stopped || this.timer) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.maxBackoffMs);
    this.options.logger.warn(
      { informer: this.options.name, err, retryInMs: delay },
      'watch failed; restarting',
    );
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      this.restarts++;
      this.options.onRestart?.();
      void this.attempt();
    }, delay);
  }
}
