import { quantityValue } from '../../../controller/api';

describe('quantityValue', () => {
  test.each([
    ['512Mi', 512 * 2 ** 20],
    ['0.5Gi', 2 ** 29],
    ['1G', 1e9],
    ['100m', 0.1],
    ['1e3', 1000],
    ['12', 12],
    ['5Xi', undefined],
  ])('reads %s', (q, v) => {
    expect(quantityValue(q)).toBe(v);
  });

  test('takes a number as it is, as int-or-string fields may hold one', () => {
    expect(quantityValue(2)).toBe(2);
    expect(quantityValue(Number.NaN)).toBeUndefined();
  });
});
