import { allowedUnavailable, selects } from '../../../tools/rehearsal/disruption-budget';

describe('allowedUnavailable', () => {
  test('maxUnavailable as a count is the count, whatever the replicas', () => {
    expect(allowedUnavailable({ maxUnavailable: 1 }, 5)).toBe(1);
    expect(allowedUnavailable({ maxUnavailable: 0 }, 5)).toBe(0);
  });

  test('maxUnavailable as a percentage rounds up, as Kubernetes does', () => {
    expect(allowedUnavailable({ maxUnavailable: '25%' }, 3)).toBe(1);
    expect(allowedUnavailable({ maxUnavailable: '50%' }, 5)).toBe(3);
  });

  test('minAvailable leaves the rest; a percentage of it rounds up, so fewer may go', () => {
    expect(allowedUnavailable({ minAvailable: 1 }, 2)).toBe(1);
    expect(allowedUnavailable({ minAvailable: 2 }, 2)).toBe(0);
    expect(allowedUnavailable({ minAvailable: '50%' }, 3)).toBe(1);
  });

  test('minAvailable above the replicas allows nothing (never a negative number)', () => {
    expect(allowedUnavailable({ minAvailable: 3 }, 1)).toBe(0);
  });

  test('a budget without either field constrains nothing', () => {
    expect(allowedUnavailable({}, 4)).toBe(4);
  });

  test('a malformed percentage is an error, not a guess', () => {
    expect(() => allowedUnavailable({ maxUnavailable: 'half' }, 4)).toThrow(
      '"half" is neither an integer nor a percentage',
    );
  });
});

describe('selects', () => {
  const labels = { app: 'web', tier: 'front' };

  test('matchLabels must all match', () => {
    expect(selects({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(selects({ matchLabels: { app: 'web', tier: 'back' } }, labels)).toBe(false);
  });

  test('matchExpressions: In, NotIn, Exists, DoesNotExist', () => {
    expect(
      selects({ matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] }, labels),
    ).toBe(true);
    expect(
      selects({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, labels),
    ).toBe(false);
    expect(
      selects({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, labels),
    ).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, labels)).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, labels)).toBe(
      false,
    );
  });

  test('an empty selector selects every pod', () => {
    expect(selects({}, labels)).toBe(true);
    expect(selects(undefined, {})).toBe(true);
  });
});
