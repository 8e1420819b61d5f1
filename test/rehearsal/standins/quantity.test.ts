import { ebsSizeGiB, quantityBytes } from '../../../tools/rehearsal/standins/quantity';

describe('storage quantities as EBS sizes them', () => {
  test.each([
    ['4Gi', 4],
    ['1Ti', 1024],
    ['500Mi', 1],
    ['10G', 10],
    ['4294967297', 5],
  ])('%s is a %i GiB volume', (quantity, gib) => {
    expect(ebsSizeGiB(quantity)).toBe(gib);
  });

  test('binary and decimal suffixes differ', () => {
    expect(quantityBytes('1Ki')).toBe(1024);
    expect(quantityBytes('1k')).toBe(1000);
  });

  test.each(['4 Gi', '4gi', 'Gi', '-1Gi'])('%p is refused with the value and an example', (bad) => {
    expect(() => quantityBytes(bad)).toThrow(
      `storage quantity must be a number with a unit like 4Gi, got "${bad}"`,
    );
  });
});
