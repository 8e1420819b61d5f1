import { ebsSizeGiB } from '../../../../tools/rehearsal/standins/ebs-volume-size';

describe('storage requests as EBS sizes their volumes', () => {
  test.each([
    ['4Gi', 4],
    ['1Ti', 1024],
    ['500Mi', 1],
    ['10G', 10],
    // Decimal and binary suffixes differ: 1100 MB is just over 1 GiB.
    ['1100M', 2],
    ['1Gi', 1],
    ['4294967297', 5],
  ])('%s is a %i GiB volume', (quantity, gib) => {
    expect(ebsSizeGiB(quantity)).toBe(gib);
  });

  test.each(['4 Gi', '4gi', 'Gi', '-1Gi', '0'])(
    '%p is refused with the value and an example',
    (bad) => {
      expect(() => ebsSizeGiB(bad)).toThrow(
        `storage quantity must be a number with a unit like 4Gi, got "${bad}"`,
      );
    },
  );
});
