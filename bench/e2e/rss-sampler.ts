/** Samples a process's RSS every 250 ms. */
export class RssSampler {
  private readonly samples: Array<{ at: number; mb: number }> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(read: () => number) {
    this.timer = setInterval(() => {
      try {
        this.samples.push({ at: Date.now(), mb: read() / 2 ** 20 });
      } catch {
        // the process is gone; waitFor reports that
      }
    }, 250);
  }

  /** Highest sample since `from`. */
  peak(from: number): number {
    return Math.max(...this.since(from));
  }

  /** Median of the samples since `from`: the settled figure, whenever the GC happened to run. */
  median(from: number): number {
    const mbs = this.since(from).sort((a, b) => a - b);
    return mbs[Math.floor(mbs.length / 2)];
  }

  private since(from: number): number[] {
    const mbs = this.samples.filter((s) => s.at >= from).map((s) => s.mb);
    if (mbs.length === 0) throw new Error('no RSS samples: the controller process was gone');
    return mbs;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
