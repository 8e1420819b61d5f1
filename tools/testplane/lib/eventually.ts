import { sleep } from './process';

/**
 * Retries `assertion` until it stops throwing, then returns its result; after `timeoutMs` it
 * rethrows the last failure, so the test shows what was still wrong.
 */
export async function eventually<T>(assertion: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(250);
    }
  }
}
