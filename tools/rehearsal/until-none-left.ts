/**
 * The rehearsal's waits: ask again until nothing is left or the time is up. A deployment's steps
 * wait on these, so how often they ask is time the whole rehearsal spends: a second between two
 * looks cost half a second per wait on average, and a lifecycle rehearsal waits over fifty times.
 */
const INTERVAL_MS = 250;

/** Calls `probe` until it returns nothing or `timeoutMs` has passed; returns its last answer. */
export async function untilNoneLeft(
  probe: () => Promise<string[]>,
  timeoutMs: number,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await probe();
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
  }
}
