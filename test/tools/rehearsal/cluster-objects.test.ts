/**
 * The cluster's objects as the rehearsal's checks list them, against a real kube-apiserver: the
 * kinds are the ones `kubectl api-resources` lists, and only objects nothing owns count.
 */
import {
  describeKey,
  listableResources,
  listObjects,
  servedVersions,
} from '../../../tools/rehearsal/cluster-objects';
import { adminApiOf } from '../../../tools/testplane/lib/admin-api';
import { kubectl } from '../../../tools/testplane/lib/kubectl';
import { withTestPlane } from '../../helpers/with-test-plane';

withTestPlane('the cluster objects the rehearsal lists', (plane) => {
  const k = (args: string[], stdin?: string) => kubectl(plane().kubeconfig, args, stdin);

  test('every kind `kubectl api-resources --verbs=list` finds, but Events', async () => {
    const fromKubectl = (await k(['api-resources', '--verbs=list', '-o', 'name']))
      .split('\n')
      .filter((name) => name !== '' && name !== 'events' && name !== 'events.events.k8s.io');
    // kubectl names a resource `plural.group`, and a core one by its plural alone.
    const listed = (await listableResources(adminApiOf(plane().kubeconfig))).map(({ path }) =>
      path.match(/^\/apis?\/(?:([^/]+)\/)?[^/]+\/([^/]+)$/)!,
    );
    const names = listed.map(([, group, plural]) => (group ? `${plural}.${group}` : plural));
    expect(names.sort()).toEqual(fromKubectl.sort());
  });

  test('an object nothing owns is listed; what its owner made is not', async () => {
    await k(['create', 'namespace', 'objects']);
    await k(['create', 'deployment', 'web', '--image=registry.invalid/web:1', '-n', 'objects']);
    await k(['rollout', 'status', 'deployment/web', '-n', 'objects', '--timeout=60s']);
    const keys = (await listObjects(plane().kubeconfig)).map(describeKey);
    expect(keys).toContain('apps/Deployment objects/web');
    expect(keys).toContain('Namespace objects');
    expect(keys.filter((key) => / objects\/web-/.test(key))).toEqual([]);
  });
});

describe('the served versions read from aggregated discovery', () => {
  const pods = { resource: 'pods', verbs: ['list'], scope: 'Namespaced' as const };

  test('a group whose CRD is going away has a version with no resources, not an error', () => {
    const answer = {
      items: [{ metadata: { name: 'bitcoin.example' }, versions: [{ version: 'v1' }] }],
    };
    expect(servedVersions(answer)).toEqual([[{ apiVersion: 'bitcoin.example/v1', resources: [] }]]);
  });

  test('a group with no versions has none', () => {
    expect(servedVersions({ items: [{ metadata: { name: 'going.example' } }] })).toEqual([[]]);
  });

  test('a stale version is left out, so the next one is preferred', () => {
    const answer = {
      items: [
        {
          metadata: { name: 'metrics.k8s.io' },
          versions: [
            { version: 'v2', freshness: 'Stale' as const, resources: [] },
            { version: 'v1', freshness: 'Current' as const, resources: [] },
          ],
        },
      ],
    };
    expect(servedVersions(answer)[0].map(({ apiVersion }) => apiVersion)).toEqual([
      'metrics.k8s.io/v1',
    ]);
  });

  test('the core group has a bare version, and a resource without a kind is left out', () => {
    const answer = {
      items: [
        {
          metadata: {},
          versions: [
            {
              version: 'v1',
              resources: [
                { ...pods, responseKind: { kind: 'Pod' } },
                { ...pods, resource: 'odd' },
              ],
            },
          ],
        },
      ],
    };
    expect(servedVersions(answer)).toEqual([
      [
        {
          apiVersion: 'v1',
          resources: [{ resource: 'pods', kind: 'Pod', verbs: ['list'], namespaced: true }],
        },
      ],
    ]);
  });
});
