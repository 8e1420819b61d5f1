/**
 * The table of minors against the facts it must agree with, each read from its own home: the
 * packages installed, the test plane's pins, the published images' naming.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DEFAULT_KUBERNETES_MINOR,
  KUBERNETES_MINORS,
  SUPPORTED_KUBERNETES_MINORS,
} from '../../config';
import { REPO_ROOT } from '../../tools/base/repo-root';
import versions from '../../tools/testplane/versions.json';
import { devDependencies } from '../../package.json';

test('1.35 and 1.36 are supported, and 1.36 is the default', () => {
  expect(SUPPORTED_KUBERNETES_MINORS).toEqual(['1.35', '1.36']);
  expect(DEFAULT_KUBERNETES_MINOR).toBe('1.36');
});

test('the test plane runs the default minor', () => {
  expect(versions.kubernetes).toMatch(new RegExp(`^v${DEFAULT_KUBERNETES_MINOR}\\.\\d+$`));
  const goMod = fs.readFileSync(
    path.join(REPO_ROOT, 'tools', 'testplane', 'go', 'kubernetes', 'go.mod'),
    'utf8',
  );
  // Every staging module at the matching v0.N tag, including ones added in this minor.
  const staging = [...goMod.matchAll(/^\tk8s\.io\/([\w-]+) => k8s\.io\/\1 (\S+)$/gm)];
  expect(staging.length).toBeGreaterThan(30);
  const tag = versions.kubernetes.replace(/^v1\./, 'v0.');
  expect(staging.filter(([, , version]) => version !== tag)).toEqual([]);
});

describe.each(SUPPORTED_KUBERNETES_MINORS)('%s', (minor) => {
  const row = KUBERNETES_MINORS[minor];

  test('its kubectl layer package is a pinned devDependency built for that minor', () => {
    expect(devDependencies).toHaveProperty([row.kubectlLayerPackage]);
    expect(row.kubectlLayerPackage).toMatch(new RegExp(`-v${minor.split('.')[1]}$`));
  });

  test("the Cluster Autoscaler image is of the cluster's minor", () => {
    expect(row.clusterAutoscaler.image).toMatch(
      new RegExp(`^v${minor.replace('.', '\\.')}\\.\\d+$`),
    );
  });

  test('the Pod Security version is not newer than the cluster', () => {
    const [, enforced] = /^v1\.(\d+)$/.exec(row.podSecurityVersion) ?? [];
    expect(Number(enforced)).toBeLessThanOrEqual(Number(minor.split('.')[1]));
  });
});
