import {
  BucketRateLimiter,
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
  RateLimiter,
  WorkQueue,
} from '../../../controller/runtime/queue';

/** A limiter whose delays the test sets. */
class FixedLimiter implements RateLimiter {
  delays = new Map<string, number>();
  counts = new Map<string, number>();
  when(key: string): number {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    return this.delays.get(key) ?? 0;
  }
  forget(key: string): void {
    this.counts.delete(key);
  }
  numRequeues(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}

describe('WorkQueue', () => {
  afterEach(() => jest.useRealTimers());

  test('duplicate adds of a waiting key coalesce into one item', async () => {
    // GIVEN
    const q = new WorkQueue();
    // WHEN
    q.add('ns/a');
    q.add('ns/a');
    q.add('ns/b');
    q.add('ns/a');
    // THEN
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('ns/a');
    expect(await q.get()).toBe('ns/b');
    expect(q.len()).toBe(0);
  });

  test('a key is handed to one worker at a time', async () => {
    // GIVEN a key being processed
    const q = new WorkQueue();
    q.add('ns/a');
    const first = await q.get();
    // WHEN it is added again while in flight
    q.add('ns/a');
    // THEN a second worker does not get it until the first is done
    let second: string | undefined;
    const pending = q.get().then((k) => (second = k));
    await Promise.resolve();
    expect(second).toBeUndefined();
    expect(q.len()).toBe(0);
    q.done(first as string);
    await pending;
    expect(second).toBe('ns/a');
  });

  test('a key re-added while processing runs again afterwards, once', async () => {
    const q = new WorkQueue();
    q.add('ns/a');
    const key = (await q.get()) as string;
    q.add('ns/a');
    q.add('ns/a');
    q.done(key);
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe('ns/a');
    q.done('ns/a');
    expect(q.len()).toBe(0);
  });

  test('a key not re-added is not handed out again after done', async () => {
    const q = new WorkQueue();
    q.add('ns/a');
    q.done((await q.get()) as string);
    expect(q.len()).toBe(0);
    await expect(q.whenIdle()).resolves.toBeUndefined();
  });

  test('get waits for an add', async () => {
    const q = new WorkQueue();
    const got = q.get();
    q.add('ns/late');
    await expect(got).resolves.toBe('ns/late');
  });

  test('addAfter queues the key only when the delay has passed', () => {
    jest.useFakeTimers();
    const q = new WorkQueue();
    q.addAfter('ns/a', 1000);
    expect(q.len()).toBe(0);
    expect(q.pendingDelayed()).toBe(1);
    jest.advanceTimersByTime(999);
    expect(q.len()).toBe(0);
    jest.advanceTimersByTime(1);
    expect(q.len()).toBe(1);
    expect(q.pendingDelayed()).toBe(0);
  });

  test('of several addAfter for one key the earliest wins and only one item results', () => {
    jest.useFakeTimers();
    const q = new WorkQueue();
    q.addAfter('ns/a', 5000);
    q.addAfter('ns/a', 100);
    q.addAfter('ns/a', 3000);
    expect(q.pendingDelayed()).toBe(1);
    jest.advanceTimersByTime(100);
    expect(q.len()).toBe(1);
    jest.advanceTimersByTime(10_000);
    expect(q.len()).toBe(1);
  });

  test('addAfter with no delay adds at once', () => {
    const q = new WorkQueue();
    q.addAfter('ns/a', 0);
    expect(q.len()).toBe(1);
  });

  test('addRateLimited backs off per key and forget resets the backoff', () => {
    jest.useFakeTimers();
    // GIVEN a queue with client-go's per-key backoff only
    const q = new WorkQueue({ rateLimiter: new ItemExponentialRateLimiter(5, 300_000) });
    // WHEN the key fails three times
    q.addRateLimited('ns/a');
    q.addRateLimited('ns/a');
    q.addRateLimited('ns/a');
    // THEN the count is kept and another key has its own
    expect(q.numRequeues('ns/a')).toBe(3);
    expect(q.numRequeues('ns/b')).toBe(0);
    // the first delay (5 ms) is the pending one, the earliest
    jest.advanceTimersByTime(5);
    expect(q.len()).toBe(1);
    // WHEN the key succeeds
    q.forget('ns/a');
    // THEN its backoff starts from the base again
    expect(q.numRequeues('ns/a')).toBe(0);
  });

  test('a failing key does not delay other keys', async () => {
    jest.useFakeTimers();
    const limiter = new FixedLimiter();
    limiter.delays.set('ns/bad', 60_000);
    const q = new WorkQueue({ rateLimiter: limiter });
    q.addRateLimited('ns/bad');
    q.add('ns/good');
    expect(await q.get()).toBe('ns/good');
    expect(q.len()).toBe(0);
  });

  test('shutDown wakes waiting workers with undefined and refuses new keys', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.shutDown();
    await expect(waiting).resolves.toBeUndefined();
    q.add('ns/a');
    expect(q.len()).toBe(0);
    await expect(q.get()).resolves.toBeUndefined();
  });

  test('shutDown cancels delayed keys', () => {
    jest.useFakeTimers();
    const q = new WorkQueue();
    q.addAfter('ns/a', 100);
    q.shutDown();
    jest.advanceTimersByTime(1000);
    expect(q.len()).toBe(0);
    expect(q.pendingDelayed()).toBe(0);
  });

  test('shutDownWithDrain hands out queued keys and waits for keys in flight', async () => {
    // GIVEN one key in flight and one queued
    const q = new WorkQueue();
    q.add('ns/a');
    q.add('ns/b');
    const a = (await q.get()) as string;
    let drained = false;
    // WHEN the queue is shut down with drain
    const drain = q.shutDownWithDrain().then(() => (drained = true));
    await Promise.resolve();
    // THEN the queued key is still handed out, and drain waits for both
    const b = await q.get();
    expect(b).toBe('ns/b');
    q.done(a);
    await Promise.resolve();
    expect(drained).toBe(false);
    q.done(b as string);
    await drain;
    expect(drained).toBe(true);
    await expect(q.get()).resolves.toBeUndefined();
  });

  test('whenIdle resolves after the last key is done', async () => {
    const q = new WorkQueue();
    q.add('ns/a');
    const key = (await q.get()) as string;
    let idle = false;
    const p = q.whenIdle().then(() => (idle = true));
    await Promise.resolve();
    expect(idle).toBe(false);
    q.done(key);
    await p;
    expect(idle).toBe(true);
  });
});

describe('rate limiters', () => {
  test('per-key exponential backoff starts at 5 ms, doubles, and is capped', () => {
    const l = new ItemExponentialRateLimiter(5, 300_000);
    const delays = Array.from({ length: 20 }, () => l.when('k'));
    expect(delays.slice(0, 5)).toEqual([5, 10, 20, 40, 80]);
    expect(Math.max(...delays)).toBe(300_000);
    expect(delays[19]).toBe(300_000);
    l.forget('k');
    expect(l.when('k')).toBe(5);
  });

  test('the backoff limits are validated', () => {
    expect(() => new ItemExponentialRateLimiter(0, 10)).toThrow(
      'backoff must satisfy 0 < base <= max, got base 0 and max 10',
    );
  });

  test('the bucket lets a burst through, then spaces requests by 1/qps', () => {
    let now = 0;
    const l = new BucketRateLimiter(10, 2, () => now);
    expect(l.when()).toBe(0);
    expect(l.when()).toBe(0);
    expect(l.when()).toBe(100);
    now = 1000;
    expect(l.when()).toBe(0);
  });

  test('the combined limiter takes the longest delay', () => {
    const now = 0;
    const l = new MaxOfRateLimiter(
      new ItemExponentialRateLimiter(5, 1000),
      new BucketRateLimiter(1, 1, () => now),
    );
    expect(l.when('a')).toBe(5);
    expect(l.when('b')).toBe(1000);
    expect(l.numRequeues('a')).toBe(1);
  });
});
