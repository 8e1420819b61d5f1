import { untilNoneLeft } from '../../../tools/rehearsal/until-none-left';

describe('untilNoneLeft', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('asks again until nothing is left, a quarter of a second apart', async () => {
    const answers = [['a', 'b'], ['b'], []];
    let asked = 0;
    const done = untilNoneLeft(async () => answers[asked++], 60_000);
    await jest.advanceTimersByTimeAsync(250);
    expect(asked).toBe(2);
    await jest.advanceTimersByTimeAsync(250);
    await expect(done).resolves.toEqual([]);
    expect(asked).toBe(3);
  });

  test('once the time is up, returns what was left the last time', async () => {
    const done = untilNoneLeft(async () => ['volume vol-1'], 1_000);
    await jest.advanceTimersByTimeAsync(1_500);
    await expect(done).resolves.toEqual(['volume vol-1']);
  });
});
