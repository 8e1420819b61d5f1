/** Where progress goes: a terminal gets one updating line, anything else plain lines. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  /** A terminal's width: a longer line would wrap, and `\r` could not rewrite it. */
  readonly columns?: number;
  write(text: string): unknown;
}

export interface ProgressOptions {
  readonly now?: () => number;
  /** Calls `tick` every `ms` until the returned function is called. */
  readonly every?: (tick: () => void, ms: number) => () => void;
  /** How often a plain (non-terminal) stream gets a line while a step runs. */
  readonly plainIntervalMs?: number;
}

const TTY_REFRESH_MS = 1_000;
const PLAIN_INTERVAL_MS = 30_000;

/**
 * Reports long setup steps (a Go build prints nothing for minutes): the step, its elapsed and
 * expected time, and where the whole setup stands against its expected total.
 */
export class Progress {
  private readonly now: () => number;
  private readonly every: (tick: () => void, ms: number) => () => void;
  private readonly plainIntervalMs: number;
  private readonly started: number;
  private step = 0;

  constructor(
    private readonly out: ProgressStream,
    private readonly steps: number,
    private readonly expectedTotalMs: number,
    options: ProgressOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.every = options.every ?? everyInterval;
    this.plainIntervalMs = options.plainIntervalMs ?? PLAIN_INTERVAL_MS;
    this.started = this.now();
  }

  /** Runs one step under a ticker. A failed step leaves its last status line in place. */
  async run<T>(label: string, expectedMs: number, work: () => Promise<T>): Promise<T> {
    this.step += 1;
    const prefix = `setup [${this.step}/${this.steps}] ${label}`;
    const stepStarted = this.now();
    const status = () =>
      `${prefix}: ${duration(this.now() - stepStarted)} of ~${duration(expectedMs)}, ` +
      `total ${duration(this.now() - this.started)} of ~${duration(this.expectedTotalMs)}`;
    let lastPlain = stepStarted;
    const tick = this.out.isTTY
      ? () => this.out.write(`\r\x1b[2K${this.fit(status())}`)
      : () => {
          if (this.now() - lastPlain < this.plainIntervalMs) return;
          lastPlain = this.now();
          this.out.write(`${status()}\n`);
        };
    this.out.write(this.out.isTTY ? `\r\x1b[2K${this.fit(status())}` : `${prefix}: started\n`);
    const stop = this.every(tick, TTY_REFRESH_MS);
    try {
      const result = await work();
      this.finish(`${prefix}: done in ${duration(this.now() - stepStarted)}`);
      return result;
    } catch (err) {
      this.finish(`${prefix}: failed after ${duration(this.now() - stepStarted)}`);
      throw err;
    } finally {
      stop();
    }
  }

  private fit(line: string): string {
    const width = this.out.columns;
    return width && line.length >= width ? `${line.slice(0, width - 2)}…` : line;
  }

  private finish(line: string): void {
    this.out.write(this.out.isTTY ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }
}

/** `75_000` → `1m15s`; under a minute, seconds only. */
export function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

function everyInterval(tick: () => void, ms: number): () => void {
  const timer = setInterval(tick, ms);
  return () => clearInterval(timer);
}
