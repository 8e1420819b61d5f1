import { ConfigError, loadConfig } from '../../config';
import { MAX_NODES } from '../../controller/api';

const PINNED_IMAGE =
  'an image reference like "registry/repo:tag", pinned to a version or digest (not ":latest" or untagged)';

function operator(context: Record<string, unknown>) {
  return loadConfig((key) => context[key]).operator;
}

describe('operator config', () => {
  test('defaults: a sample network of 3 nodes and the image built from controller/Dockerfile', () => {
    expect(operator({})).toEqual({
      sampleNetworkNodes: 3,
      controllerImage: undefined,
      controllerNamespaces: [],
    });
  });

  test('controller namespaces come as a JSON list or comma-separated on the command line', () => {
    expect(operator({ controllerNamespaces: ['team-a', 'bitcoin'] }).controllerNamespaces).toEqual([
      'team-a',
      'bitcoin',
    ]);
    expect(operator({ controllerNamespaces: 'team-a, team-b' }).controllerNamespaces).toEqual([
      'team-a',
      'team-b',
    ]);
    expect(operator({ controllerNamespaces: '' }).controllerNamespaces).toEqual([]);
  });

  const NAMESPACES_RULE =
    'a list of distinct namespace names (lowercase RFC 1123 labels of at most 63 characters), without "bitcoin-controller" (the controller\'s own)';

  test.each([
    ['Team_A', '"Team_A"'],
    [['team-a', 'team-a'], '["team-a","team-a"]'],
    [['bitcoin-controller'], '["bitcoin-controller"]'],
    [['x'.repeat(64)], `["${'x'.repeat(64)}"]`],
    [[3], '[3]'],
  ])('controller namespaces %p are refused in one line naming the key', (value, shown) => {
    const load = () => operator({ controllerNamespaces: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      `Invalid config "controllerNamespaces": got ${shown}; expected ${NAMESPACES_RULE}.`,
    );
  });

  test.each([0, 1, MAX_NODES, String(MAX_NODES)])(
    'a sample network of %p nodes is accepted',
    (n) => {
      expect(operator({ sampleNetworkNodes: n }).sampleNetworkNodes).toBe(Number(n));
    },
  );

  // The sample chart once checked this itself; config is now the one owner of the range.
  test.each([-1, MAX_NODES + 1, 2.5, 'NaN'])('a sample network of %p nodes is refused', (n) => {
    const load = () => operator({ sampleNetworkNodes: n });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      `Invalid config "sampleNetworkNodes": got ${JSON.stringify(n)}; expected a whole number from 0 to ${MAX_NODES}.`,
    );
  });

  test('a prebuilt controller image is taken as given', () => {
    expect(operator({ controllerImage: 'registry.example/bitcoin-controller:1.2' })).toMatchObject({
      controllerImage: 'registry.example/bitcoin-controller:1.2',
    });
  });

  test('a malformed controller image is refused with the key and value', () => {
    expect(() => operator({ controllerImage: 'Not An Image' })).toThrow(
      `Invalid config "controllerImage": got "Not An Image"; expected ${PINNED_IMAGE}.`,
    );
  });

  // The operator chart once checked this itself; config is now the one owner of the rule.
  test.each([
    'ghcr.io/x/c:latest',
    'bitcoin-controller:latest',
    'ghcr.io/x/c',
    'c:latest@sha256:' + 'a'.repeat(64),
  ])('an unpinned controller image %p is refused with the key and value', (image) => {
    const load = () => operator({ controllerImage: image });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      `Invalid config "controllerImage": got "${image}"; expected ${PINNED_IMAGE}.`,
    );
  });

  test.each([
    'ghcr.io/x/c:1.2.3',
    `ghcr.io/x/c@sha256:${'0123abcd'.repeat(8)}`,
    `ghcr.io/x/c:1.2.3@sha256:${'0123abcd'.repeat(8)}`,
    'registry.example:5000/team/bitcoin-controller:v2_rc.1',
    'ghcr.io/x/latest:1',
  ])('a pinned controller image %p is accepted', (image) => {
    expect(operator({ controllerImage: image }).controllerImage).toBe(image);
  });

  test('a blank controller image is refused, an empty one means unset', () => {
    expect(() => operator({ controllerImage: ' ' })).toThrow(
      `Invalid config "controllerImage": got " "; expected ${PINNED_IMAGE}.`,
    );
    expect(operator({ controllerImage: '' }).controllerImage).toBeUndefined();
  });
});
