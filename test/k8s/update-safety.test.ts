import { synthTarget } from '../../k8s/synth';
import { config, type K8sObject } from '../helpers/k8s';
import { updateProblems } from '../helpers/update-safety';

type Overrides = Record<string, unknown>;

/** Each manifest of the EKS target (one per chart), by chart name. */
function manifests(overrides: Overrides): Map<string, K8sObject[]> {
  return new Map(
    synthTarget('eks', config(overrides)).map((c) => [c.name, c.objects as K8sObject[]]),
  );
}

/** Static volumes, each with its zone. */
const VOLUME_A = { staticVolumeId: 'vol-0123456789abcdef0', staticVolumeZone: 'eu-west-1a' };
const VOLUME_B = { staticVolumeId: 'vol-0fedcba9876543210', staticVolumeZone: 'eu-west-1b' };

/** Config changes a user makes between two deploys; each is also tried the other way round. */
const CHANGES: ReadonlyArray<readonly [string, Overrides, Overrides]> = [
  ['webReplicas', { webReplicas: 2 }, { webReplicas: 5 }],
  ['sampleNetworkNodes', { sampleNetworkNodes: 3 }, { sampleNetworkNodes: 6 }],
  ['sampleNetworkNodes to zero', { sampleNetworkNodes: 3 }, { sampleNetworkNodes: 0 }],
  ['throughputVolume none → st1', {}, { throughputVolume: 'st1' }],
  ['throughputVolume st1 → cold', { throughputVolume: 'st1' }, { throughputVolume: 'cold' }],
  ['alpineLoadBalancer', { alpineLoadBalancer: false }, { alpineLoadBalancer: true }],
  ['staticVolumeId set', {}, VOLUME_A],
  ['staticVolumeId replaced', VOLUME_A, VOLUME_B],
  ['controllerImage', { controllerImage: 'r/c:1.0.0' }, { controllerImage: 'r/c:1.1.0' }],
  ['controllerNamespaces: every namespace ↔ namespaced', {}, { controllerNamespaces: ['team-a'] }],
  [
    'controllerNamespaces: one more',
    { controllerNamespaces: ['team-a'] },
    { controllerNamespaces: ['team-a', 'team-b'] },
  ],
];

/** Sizes only grow: a bound claim cannot shrink, so these are tried forwards only. */
const GROWTHS: ReadonlyArray<readonly [string, Overrides, Overrides]> = [
  ['demoVolumeSize', { demoVolumeSize: '4Gi' }, { demoVolumeSize: '8Gi' }],
  [
    'throughputVolumeSize',
    { throughputVolume: 'st1', throughputVolumeSize: '125Gi' },
    { throughputVolume: 'st1', throughputVolumeSize: '500Gi' },
  ],
  [
    'demoVolumeSize with a static volume',
    { ...VOLUME_A, demoVolumeSize: '4Gi' },
    { ...VOLUME_A, demoVolumeSize: '8Gi' },
  ],
];

/** The problems of updating every manifest from `before` to `after`, prefixed by chart. */
function problemsOf(before: Overrides, after: Overrides): string[] {
  const next = manifests(after);
  const expandable = new Set(
    [...next.values()]
      .flat()
      .filter((o) => o.kind === 'StorageClass' && o.allowVolumeExpansion)
      .map((o) => o.metadata.name),
  );
  return [...manifests(before)].flatMap(([chart, objects]) =>
    updateProblems(objects, next.get(chart) ?? [], expandable).map((p) => `${chart}: ${p}`),
  );
}

describe('a config change updates every object in place or removes it', () => {
  test.each(CHANGES)('%s', (_name, before, after) => {
    expect(problemsOf(before, after)).toEqual([]);
    expect(problemsOf(after, before)).toEqual([]);
  });

  test.each(GROWTHS)('%s grows', (_name, before, after) => {
    expect(problemsOf(before, after)).toEqual([]);
  });
});

describe('the update check', () => {
  const claim = (storageClassName: string, storage: string): K8sObject => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace: 'ns' },
    spec: {
      accessModes: ['ReadWriteOnce'],
      storageClassName,
      resources: { requests: { storage } },
    },
  });
  const storageClass = (type: string): K8sObject => ({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'fast' },
    provisioner: 'ebs.csi.aws.com',
    parameters: { type },
  });

  test('names an immutable field that changes', () => {
    expect(updateProblems([storageClass('gp3')], [storageClass('io2')])).toEqual([
      'StorageClass fast changes parameters, which cannot be updated in place',
    ]);
    expect(updateProblems([claim('gp3', '1Gi')], [claim('st1', '1Gi')])).toEqual([
      'PersistentVolumeClaim ns/data changes spec.storageClassName, which cannot be updated in place',
    ]);
  });

  test('lets a claim of an expandable class grow, and names one that shrinks or cannot grow', () => {
    const expandable = new Set(['gp3']);
    expect(updateProblems([claim('gp3', '1Gi')], [claim('gp3', '2Gi')], expandable)).toEqual([]);
    expect(updateProblems([claim('gp3', '2Gi')], [claim('gp3', '1Gi')], expandable)).toEqual([
      'PersistentVolumeClaim ns/data shrinks its storage request 2Gi → 1Gi',
    ]);
    expect(updateProblems([claim('', '1Gi')], [claim('', '2Gi')], expandable)).toEqual([
      'PersistentVolumeClaim ns/data grows 1Gi → 2Gi, but its class "" does not allow expansion',
    ]);
  });
});
