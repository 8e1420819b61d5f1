import { duration, Progress, ProgressStream } from '../../../tools/setup/progress';

/** A stream, a clock the test moves, and the ticker the reporter registered. */
function harness(isTTY: boolean, columns?: number) {
  const written: string[] = [];
  const out: ProgressStream = { isTTY, columns, write: (text: string) => written.push(text) };
  let now = 0;
  let tick: () => void = () => {};
  let stopped = false;
  const progress = new Progress(out, 2, 600_000, {
    now: () => now,
    every: (fn) => {
      tick = fn;
      return () => (stopped = true);
    },
  });
  const advance = (ms: number) => {
    for (let t = 0; t < ms; t += 1_000) {
      now += 1_000;
      tick();
    }
  };
  return { written, progress, advance, stopped: () => stopped };
}

describe('progress on a stream that is not a terminal (CI)', () => {
  test('prints a start line, one line every 30 s with elapsed and expected times, and the end', async () => {
    const { written, progress, advance, stopped } = harness(false);
    await progress.run('building etcd', 120_000, async () => advance(65_000));
    expect(written).toEqual([
      'setup [1/2] building etcd: started\n',
      'setup [1/2] building etcd: 30s of ~2m00s, total 30s of ~10m00s\n',
      'setup [1/2] building etcd: 1m00s of ~2m00s, total 1m00s of ~10m00s\n',
      'setup [1/2] building etcd: done in 1m05s\n',
    ]);
    expect(stopped()).toBe(true);
  });

  test('numbers the steps and counts the setup total across them', async () => {
    const { written, progress, advance } = harness(false);
    await progress.run('first', 10_000, async () => advance(20_000));
    await progress.run('second', 60_000, async () => advance(30_000));
    expect(written).toContain('setup [2/2] second: 30s of ~1m00s, total 50s of ~10m00s\n');
  });

  test('a failed step says so with its time, and the error goes on to the caller', async () => {
    const { written, progress, advance, stopped } = harness(false);
    const failing = progress.run('building kwok', 60_000, async () => {
      advance(3_000);
      throw new Error('go build failed');
    });
    await expect(failing).rejects.toThrow('go build failed');
    expect(written.at(-1)).toBe('setup [1/2] building kwok: failed after 3s\n');
    expect(stopped()).toBe(true);
  });
});

describe('progress on a terminal', () => {
  test('rewrites one line every second and ends it with a newline when done', async () => {
    const { written, progress, advance } = harness(true);
    await progress.run('building etcd', 120_000, async () => advance(2_000));
    expect(written).toEqual([
      '\r\x1b[2Ksetup [1/2] building etcd: 0s of ~2m00s, total 0s of ~10m00s',
      '\r\x1b[2Ksetup [1/2] building etcd: 1s of ~2m00s, total 1s of ~10m00s',
      '\r\x1b[2Ksetup [1/2] building etcd: 2s of ~2m00s, total 2s of ~10m00s',
      '\r\x1b[2Ksetup [1/2] building etcd: done in 2s\n',
    ]);
    expect(written.slice(0, -1).join('')).not.toContain('\n');
  });

  test('cuts the updating line to the terminal width, so it never wraps', async () => {
    const { written, progress } = harness(true, 30);
    await progress.run('building kubernetes v1.35.4', 600_000, async () => {});
    expect(written[0]).toBe('\r\x1b[2Ksetup [1/2] building kuberne…');
    expect(written[0].length - '\r\x1b[2K'.length).toBeLessThan(30);
  });
});

test.each([
  [0, '0s'],
  [59_400, '59s'],
  [60_000, '1m00s'],
  [785_000, '13m05s'],
])('duration(%d) is %s', (ms, text) => {
  expect(duration(ms)).toBe(text);
});
