import { cidrContains, parseCidr } from '../../../tools/netns/cidr';

describe('an IPv4 CIDR', () => {
  test('parses a network address with its prefix length', () => {
    expect(parseCidr('10.0.0.0/8', 'k')).toEqual({
      network: 10 * 2 ** 24,
      prefixLength: 8,
      text: '10.0.0.0/8',
    });
    expect(parseCidr('192.0.2.1/32', 'k').network).toBe(((192 * 256 + 0) * 256 + 2) * 256 + 1);
  });

  test.each(['10.0.0.0', '10.0.0/8', '10.0.0.256/32', '10.0.0.0/33', 'ten/8', ' 10.0.0.0/8'])(
    'refuses "%s", naming the key and the value',
    (text) => {
      expect(() => parseCidr(text, '--local')).toThrow(
        `--local must be an IPv4 CIDR such as 10.0.0.0/8, got "${text}"`,
      );
    },
  );

  test('refuses host bits and says which network was meant', () => {
    expect(() => parseCidr('10.1.2.3/16', '--local')).toThrow(
      '--local must be a network address, got "10.1.2.3/16" (host bits set; did you mean 10.1.0.0/16?)',
    );
  });

  test('contains the ranges inside it, and no others', () => {
    const eight = parseCidr('10.0.0.0/8', 'k');
    expect(cidrContains(eight, parseCidr('10.77.0.0/16', 'k'))).toBe(true);
    expect(cidrContains(eight, eight)).toBe(true);
    expect(cidrContains(eight, parseCidr('11.0.0.0/16', 'k'))).toBe(false);
    expect(cidrContains(parseCidr('10.77.0.0/16', 'k'), eight)).toBe(false);
    expect(cidrContains(parseCidr('0.0.0.0/0', 'k'), parseCidr('172.20.0.0/16', 'k'))).toBe(true);
  });
});
