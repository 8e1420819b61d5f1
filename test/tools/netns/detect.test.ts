import {
  LOCAL_CIDRS_ENV,
  namespaceLocalCidrs,
  networkInterfaces,
  requireNetworkNamespace,
} from '../../../tools/netns/detect';
import { parseCidr } from '../../../tools/netns/cidr';

const marked = { [LOCAL_CIDRS_ENV]: '10.0.0.0/8,172.20.0.0/16' };

describe('detecting a runner namespace', () => {
  test('needs the runner variable', () => {
    expect(namespaceLocalCidrs({}, () => ['lo'])).toBeUndefined();
  });

  test('needs a namespace with lo only: an inherited variable on the host is not enough', () => {
    expect(namespaceLocalCidrs(marked, () => ['lo', 'eth0'])).toBeUndefined();
  });

  test('with both, gives the CIDRs routed local', () => {
    expect(namespaceLocalCidrs(marked, () => ['lo'])?.map((c) => c.text)).toEqual([
      '10.0.0.0/8',
      '172.20.0.0/16',
    ]);
  });

  test("reads this process's own interfaces, lo among them", () => {
    expect(networkInterfaces()).toContain('lo');
  });
});

describe('requiring a runner namespace', () => {
  const how = '`npm run test:plane -- <file>`';

  test('fails outside one, saying why and how to run instead', () => {
    expect(() => requireNetworkNamespace('10.5.0.0/16', how, () => undefined)).toThrow(
      'not inside a network namespace of tools/netns: addresses in 10.5.0.0/16 would not answer ' +
        'here and connections to them could leave the machine; run `npm run test:plane -- <file>`',
    );
  });

  test('fails when the local CIDRs do not cover the range', () => {
    const local = [parseCidr('10.4.0.0/16', 'k')];
    expect(() => requireNetworkNamespace('10.5.0.0/16', how, () => local)).toThrow(
      'this network namespace routes 10.4.0.0/16 locally, which does not cover 10.5.0.0/16; ' +
        'run `npm run test:plane -- <file>`',
    );
  });

  test('passes when a local CIDR covers the range', () => {
    const local = [parseCidr('192.168.0.0/16', 'k'), parseCidr('10.0.0.0/8', 'k')];
    expect(() => requireNetworkNamespace('10.5.0.0/16', how, () => local)).not.toThrow();
  });
});
