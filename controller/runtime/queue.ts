/**
 * A work queue of `namespace/name` keys with client-go's semantics:
 *
 * - adding a key that is already waiting does nothing (duplicates coalesce);
 * - a key is handed to one worker at a time;
 * - a key added while a worker holds it is handed out again after `done`;
 * - `addRateLimited` backs off per key (exponential, reset by `forget`) under an overall bucket;
 * - `addAfter` re-adds a key later; of several pending delays the earliest wins;
 * - `shutDown` stops handing out keys; `shutDownWithDrain` also waits for keys in flight.
 */

/** Decides how long a key waits before it is retried. */
export interface RateLimiter {
  when(key: string): number;
  forget(key: string): void;
  numRequeues(key: string): number;
}

/** Per-key exponential backoff: base * 2^failures, capped at max. */
export class ItemExponentialRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 300_000,
  ) {
    if (baseMs <= 0 || maxMs < baseMs) {
      throw new Error(`backoff must satisfy 0 < base <= max, got base ${baseMs} and max ${maxMs}`);
    }
  }

  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2^n overflows to Infinity long after it passed max; min() handles that.
    return Math.min(this.baseMs * 2 ** n, this.maxMs);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

/** An overall token bucket: `qps` tokens a second, at most `burst` saved up. */
export class BucketRateLimiter implements RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly qps = 10,
    private readonly burst = 100,
    private readonly now: () => number = Date.now,
  ) {
    if (qps <= 0 || burst < 1) {
      throw new Error(`bucket must have qps > 0 and burst >= 1, got qps ${qps} and burst ${burst}`);
    }
    this.tokens = burst;
    this.last = now();
  }

  when(): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }

  forget(): void {}

  numRequeues(): number {
    return 0;
  }
}

/** The longest delay of several limiters; requeue counts come from the first. */
export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    if (limiters.length === 0) throw new Error('MaxOfRateLimiter needs at least one limiter');
    this.limiters = limiters;
  }

  when(key: string): number {
    return Math.max(...this.limiters.map((l) => l.when(key)));
  }

  forget(key: string): void {
    this.limiters.forEach((l) => l.forget(key));
  }

  numRequeues(key: string): number {
    return Math.max(...this.limiters.map((l) => l.numRequeues(key)));
  }
}

/** client-go's default controller rate limiter, with the per-key cap lowered to 5 minutes. */
function defaultRateLimiter(): RateLimiter {
  return new MaxOfRateLimiter(
    new ItemExponentialRateLimiter(5, 300_000),
    new BucketRateLimiter(10, 100),
  );
}

export interface WorkQueueOptions {
  /** @default defaultRateLimiter() */
  readonly rateLimiter?: RateLimiter;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly waiting = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly getters: Array<(key: string | undefined) => void> = [];
  private readonly drainWaiters: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];
  private readonly rateLimiter: RateLimiter;
  private shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.rateLimiter = options.rateLimiter ?? defaultRateLimiter();
  }

  /** Queue a key now. A key already queued is not queued twice. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /** Queue a key after `delayMs`. Of several pending delays for one key, the earliest wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delayMs;
    const pending = this.waiting.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, delayMs);
    this.waiting.set(key, { at, timer });
  }

  /** Queue a key after the rate limiter's delay for it: the retry path after an error. */
  addRateLimited(key: string): void {
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Reset the key's backoff: call after it was processed successfully. */
  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.numRequeues(key);
  }

  /**
   * The next key to process, or `undefined` once the queue is shut down and empty.
   * The caller must call `done(key)` when it has finished with the key.
   */
  get(): Promise<string | undefined> {
    const key = this.shift();
    if (key !== undefined) return Promise.resolve(key);
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Mark a key finished; if it was added meanwhile, queue it again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.push(key);
    }
    if (this.processing.size === 0) {
      this.drainWaiters.splice(0).forEach((r) => r());
    }
    this.notifyIdle();
  }

  /** Number of keys queued (not in flight, not waiting on a delay). */
  len(): number {
    return this.queue.length;
  }

  /** Number of keys waiting on `addAfter` or a backoff. */
  pendingDelayed(): number {
    return this.waiting.size;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Resolves when nothing is queued and nothing is in flight (delayed keys do not count). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stop accepting keys and wake idle workers; keys in flight may still finish. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    // Workers blocked in get() see an empty, closed queue.
    if (this.queue.length === 0) {
      this.getters.splice(0).forEach((r) => r(undefined));
    }
  }

  /**
   * Stop accepting keys, let workers take what is already queued, and resolve once every key in
   * flight is done.
   */
  async shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0 && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    // Keys queued before shutdown are handed out; wait until they are done too.
    while (this.queue.length > 0 || this.processing.size > 0) {
      await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    }
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.processing.size === 0;
  }

  private notifyIdle(): void {
    if (this.isIdle()) this.idleWaiters.splice(0).forEach((r) => r());
  }

  private push(key: string): void {
    const getter = this.getters.shift();
    if (getter) {
      this.dirty.delete(key);
      this.processing.add(key);
      getter(key);
    } else {
      this.queue.push(key);
    }
  }

  private shift(): string | undefined {
    const key = this.queue.shift();
    if (key === undefined) return undefined;
    this.dirty.delete(key);
    this.processing.add(key);
    if (this.shuttingDown && this.queue.length === 0) {
      this.getters.splice(0).forEach((r) => r(undefined));
    }
    return key;
  }
}
