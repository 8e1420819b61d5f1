import { ChangeFeed, PollLoop } from '../../../../tools/rehearsal/standins/poll-loop';

/** A change feed the test fires by hand, and whether the loop still listens to it. */
function manualFeed() {
  let listener: (() => void) | undefined;
  const feed: ChangeFeed = (onChange) => {
    listener = onChange;
    return () => (listener = undefined);
  };
  return { feed, fire: () => listener?.(), listening: () => listener !== undefined };
}

// Fake timers: the loop's timers and Date.now move only when the test says, however busy the machine.
const sleep = (ms: number) => jest.advanceTimersByTimeAsync(ms);

describe('PollLoop', () => {
  let loop: PollLoop | undefined;
  beforeEach(() => jest.useFakeTimers());
  afterEach(async () => {
    await loop?.stop();
    jest.useRealTimers();
  });

  test('without a change feed, reconciles every pollMs', async () => {
    let rounds = 0;
    loop = new PollLoop('test', async () => void rounds++, { pollMs: 20 });
    loop.start();
    await sleep(150);
    expect(rounds).toBeGreaterThanOrEqual(3);
  });

  test('a change starts a round a tenth of a second later, long before the next poll is due', async () => {
    const { feed, fire } = manualFeed();
    let rounds = 0;
    loop = new PollLoop('test', async () => void rounds++, { pollMs: 60_000 }, feed);
    loop.start();
    await sleep(50);
    expect(rounds).toBe(0);
    fire();
    await sleep(200);
    expect(rounds).toBe(1);
  });

  test('a burst of changes gives one round, and a change during a round one more after it', async () => {
    const { feed, fire } = manualFeed();
    let rounds = 0;
    let release: () => void = () => {};
    loop = new PollLoop(
      'test',
      async () => {
        rounds++;
        if (rounds === 1) await new Promise<void>((resolve) => (release = resolve));
      },
      { pollMs: 60_000 },
      feed,
    );
    loop.start();
    for (let i = 0; i < 10; i++) fire();
    await sleep(100);
    expect(rounds).toBe(1);
    fire();
    fire();
    release();
    await sleep(300);
    expect(rounds).toBe(2);
  });

  test('a failed round is reported and the next change still reconciles', async () => {
    const { feed, fire } = manualFeed();
    const errors: unknown[] = [];
    let rounds = 0;
    loop = new PollLoop(
      'test',
      async () => {
        rounds++;
        if (rounds === 1) throw new Error('apiserver away');
      },
      { pollMs: 60_000, onError: (err) => errors.push(err) },
      feed,
    );
    loop.start();
    fire();
    await sleep(200);
    fire();
    await sleep(200);
    expect(rounds).toBe(2);
    expect(errors).toEqual([new Error('apiserver away')]);
  });

  test('stop unsubscribes from the feed and no round starts after it', async () => {
    const { feed, fire, listening } = manualFeed();
    let rounds = 0;
    loop = new PollLoop('test', async () => void rounds++, { pollMs: 10 }, feed);
    loop.start();
    expect(listening()).toBe(true);
    await loop.stop();
    const after = rounds;
    fire();
    await sleep(60);
    expect(rounds).toBe(after);
    expect(listening()).toBe(false);
  });
});
