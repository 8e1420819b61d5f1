/**
 * The cluster's objects as the rehearsal's checks list them, against a real kube-apiserver: the
 * kinds are the ones `kubectl api-resources` lists, and only objects nothing owns count.
 */
import {
  describeKey,
  listableResources,
  listObjects,
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
