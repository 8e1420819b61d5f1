/**
 * The loop every stand-in controller runs: reconcile, wait, again, until stopped. Level-based
 * like a real controller's resync, and one list per kind per round, straight from the API rather
 * than through kubectl, keeps the load small. A failed round is reported and the next one retries.
 */
export interface PollOptions {
  /** @default 300 */
  readonly pollMs?: number;
  /** @default - one line on stderr naming the stand-in */
  readonly onError?: (err: unknown) => void;
}

export class PollLoop {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> = Promise.resolve();
  private running = false;

  constructor(
    private readonly name: string,
    private readonly reconcile: () => Promise<void>,
    private readonly options: PollOptions = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  /** Resolves once the round under way, if any, has finished; none starts after. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.round;
  }

  private schedule(): void {
    const report =
      this.options.onError ?? ((err: unknown) => process.stderr.write(`${this.name}: ${err}\n`));
    this.timer = setTimeout(() => {
      this.round = this.reconcile()
        .catch(report)
        .finally(() => {
          if (this.running) this.schedule();
        });
    }, this.options.pollMs ?? 300);
  }
}
