/**
 * The loop every stand-in controller runs: reconcile, wait, again, until stopped. Level-based
 * like a real controller's resync, and one list per kind per round, straight from the API rather
 * than through kubectl, keeps the load small. A failed round is reported and the next one retries.
 *
 * Given a feed of changes (watches on the kinds it lists), a round also starts a tenth of a second
 * after one of them changes, and the rounds in between can be far apart: the stand-ins, polling
 * every 300 ms, made a third of a rehearsal's requests to the apiserver.
 */

/** Calls `onChange` whenever something the loop reads may have changed; returns what stops it. */
export type ChangeFeed = (onChange: () => void) => () => void;

export interface PollOptions {
  /**
   * Between two rounds when nothing is known to have changed.
   * @default 300, or 2000 with a change feed
   */
  readonly pollMs?: number;
  /** @default - one line on stderr naming the stand-in */
  readonly onError?: (err: unknown) => void;
}

// Changes come in bursts (a manifest's objects, a rollout's pods, status after status): a round
// starts this long after a change, so that a busy cluster gets a few rounds a second, not one
// after another.
const SETTLE_MS = 100;

export class PollLoop {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> = Promise.resolve();
  private running = false;
  private inRound = false;
  /** A change arrived during the round under way: run another soon after it ends. */
  private changedDuringRound = false;
  private stopFeed: (() => void) | undefined;
  /** When the scheduled round is due. */
  private dueAt = 0;

  constructor(
    private readonly name: string,
    private readonly reconcile: () => Promise<void>,
    private readonly options: PollOptions = {},
    private readonly changes?: ChangeFeed,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopFeed = this.changes?.(() => this.changed());
    this.schedule(this.intervalMs());
  }

  /** Resolves once the round under way, if any, has finished; none starts after. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopFeed?.();
    clearTimeout(this.timer);
    await this.round;
  }

  private intervalMs(): number {
    return this.options.pollMs ?? (this.changes ? 2_000 : 300);
  }

  private changed(): void {
    if (!this.running) return;
    if (this.inRound) this.changedDuringRound = true;
    else this.schedule(SETTLE_MS);
  }

  /** The next round in `ms`, or sooner if one is already due sooner. */
  private schedule(ms: number): void {
    const at = Date.now() + ms;
    if (this.timer && this.dueAt <= at) return;
    clearTimeout(this.timer);
    this.dueAt = at;
    this.timer = setTimeout(() => this.runRound(), ms);
  }

  private runRound(): void {
    this.timer = undefined;
    this.inRound = true;
    this.changedDuringRound = false;
    const report =
      this.options.onError ?? ((err: unknown) => process.stderr.write(`${this.name}: ${err}\n`));
    this.round = this.reconcile()
      .catch(report)
      .finally(() => {
        this.inRound = false;
        if (this.running) this.schedule(this.changedDuringRound ? SETTLE_MS : this.intervalMs());
      });
  }
}
