import { Testing } from 'cdk8s';
import { StorageChart } from '../../k8s/storage-chart';
import {
  EVERYTHING,
  K8sObject,
  TARGETS,
  chartsOf,
  config,
  find,
  ofKind,
  selects,
} from '../helpers/k8s';

const DEFAULT = 'storageclass.kubernetes.io/is-default-class';

describe('storage classes on EKS', () => {
  const objects = chartsOf('eks').storage;

  test.each([
    ['gp3', 'gp3'],
    ['st1', 'st1'],
    ['cold', 'sc1'],
  ])(
    '%s is an encrypted EBS CSI %s class, WaitForFirstConsumer, Delete, expandable',
    (name, type) => {
      const sc = find(objects, 'StorageClass', name);
      expect(sc.provisioner).toBe('ebs.csi.aws.com');
      expect(sc.parameters).toEqual({
        type,
        encrypted: 'true',
        'csi.storage.k8s.io/fstype': 'ext4',
      });
      expect(sc.volumeBindingMode).toBe('WaitForFirstConsumer');
      expect(sc.reclaimPolicy).toBe('Delete');
      expect(sc.allowVolumeExpansion).toBe(true);
      expect(sc.metadata.namespace).toBeUndefined();
    },
  );

  test('gp3 is the one default class', () => {
    const defaults = ofKind(objects, 'StorageClass').filter(
      (sc) => sc.metadata.annotations?.[DEFAULT] === 'true',
    );
    expect(defaults.map((sc) => sc.metadata.name)).toEqual(['gp3']);
  });
});

describe('storage classes locally', () => {
  const objects = chartsOf('local').storage;

  test('use the local-path provisioner, without EBS parameters', () => {
    for (const sc of ofKind(objects, 'StorageClass')) {
      expect(sc.provisioner).toBe('rancher.io/local-path');
      expect(sc.parameters).toBeUndefined();
      expect(sc.volumeBindingMode).toBe('WaitForFirstConsumer');
      expect(sc.reclaimPolicy).toBe('Delete');
    }
  });

  test("none is marked default: kind's own standard class already is", () => {
    for (const sc of ofKind(objects, 'StorageClass')) {
      expect(sc.metadata.annotations?.[DEFAULT]).toBeUndefined();
    }
  });
});

describe.each(TARGETS)('storage demo, %s target', (target) => {
  test('never creates a class named gp2, which EKS already has', () => {
    const names = ofKind(chartsOf(target, EVERYTHING).storage, 'StorageClass').map(
      (sc) => sc.metadata.name,
    );
    expect(names.sort()).toEqual(['cold', 'gp3', 'st1']);
  });

  test('a 4Gi claim on gp3, mounted by a one-replica Recreate Deployment', () => {
    const objects = chartsOf(target).storage;
    const pvc = find(objects, 'PersistentVolumeClaim', 'demo-data');
    expect(pvc.metadata.namespace).toBe('storage-demo');
    expect(pvc.spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'gp3',
      resources: { requests: { storage: '4Gi' } },
    });
    const demo = find(objects, 'Deployment', 'volume-demo');
    expect(demo.spec.replicas).toBe(1);
    expect(demo.spec.strategy.type).toBe('Recreate');
    expect(selects(demo.spec.selector.matchLabels, demo.spec.template.metadata.labels)).toBe(true);
    expect(demo.spec.template.spec.volumes).toContainEqual({
      name: 'demo-data',
      persistentVolumeClaim: { claimName: 'demo-data', readOnly: false },
    });
    expect(demo.spec.template.spec.containers[0].volumeMounts).toContainEqual({
      name: 'demo-data',
      mountPath: '/data',
    });
  });

  test('demoVolumeSize sizes the claim', () => {
    const pvc = find(
      chartsOf(target, { demoVolumeSize: '8Gi' }).storage,
      'PersistentVolumeClaim',
      'demo-data',
    );
    expect(pvc.spec.resources.requests.storage).toBe('8Gi');
  });

  test('the throughput claim is opt-in, on st1 or cold, at least 125Gi, and mounted', () => {
    expect(
      ofKind(chartsOf(target).storage, 'PersistentVolumeClaim').map((p) => p.metadata.name),
    ).toEqual(['demo-data']);
    for (const kind of ['st1', 'cold']) {
      const objects = chartsOf(target, {
        throughputVolume: kind,
        throughputVolumeSize: '500Gi',
      }).storage;
      const pvc = find(objects, 'PersistentVolumeClaim', `throughput-${kind}`);
      expect(pvc.spec.storageClassName).toBe(kind);
      expect(pvc.spec.resources.requests.storage).toBe('500Gi');
      const mounts = find(objects, 'Deployment', 'volume-demo').spec.template.spec.containers[0]
        .volumeMounts;
      expect(mounts).toContainEqual({ name: `throughput-${kind}`, mountPath: '/throughput' });
    }
  });
});

describe("the demos' one budget", () => {
  test.each([
    ['the volume demo alone', {}, 1],
    ['the volume and the static demo', EVERYTHING, 2],
  ])(
    'with %s lets each demo pod go, so a deploy that changes every demo restarts them within it',
    (_, overrides, unavailable) => {
      const objects = chartsOf('eks', overrides).storage;
      expect(ofKind(objects, 'PodDisruptionBudget').map((b) => b.metadata.name)).toEqual([
        'volume-demos',
      ]);
      expect(ofKind(objects, 'Deployment')).toHaveLength(unavailable);
      expect(find(objects, 'PodDisruptionBudget', 'volume-demos').spec.maxUnavailable).toBe(
        unavailable,
      );
    },
  );
});

describe('a deployed throughput claim keeps its name', () => {
  const storage = (throughputVolume: string): K8sObject[] =>
    Testing.synth(
      new StorageChart(Testing.app(), 'storage', {
        ...config({ throughputVolume }).platform,
        target: 'eks',
        keptClaimNames: { 'throughput-st1': 'throughput-data' },
      }),
    );

  test('the claim of its class keeps the deployed name, and the demo mounts it', () => {
    const objects = storage('st1');
    expect(ofKind(objects, 'PersistentVolumeClaim').map((claim) => claim.metadata.name)).toEqual([
      'demo-data',
      'throughput-data',
    ]);
    expect(find(objects, 'PersistentVolumeClaim', 'throughput-data').spec.storageClassName).toBe(
      'st1',
    );
    const { volumes } = find(objects, 'Deployment', 'volume-demo').spec.template.spec;
    expect(volumes).toContainEqual({
      name: 'throughput-data',
      persistentVolumeClaim: { claimName: 'throughput-data', readOnly: false },
    });
  });

  test('a claim of another class gets its own name: the class change replaces it on purpose', () => {
    expect(
      ofKind(storage('cold'), 'PersistentVolumeClaim').map((claim) => claim.metadata.name),
    ).toEqual(['demo-data', 'throughput-cold']);
  });
});

describe('static volume', () => {
  test('on EKS, staticVolumeId becomes a Retain PV pre-bound to a claim, both named after the volume', () => {
    const objects = chartsOf('eks', {
      staticVolumeId: 'vol-0123456789abcdef0',
      staticVolumeZone: 'eu-west-1a',
    }).storage;
    const pv = find(objects, 'PersistentVolume', 'static-vol-0123456789abcdef0');
    expect(pv.metadata.namespace).toBeUndefined();
    expect(pv.spec.csi).toEqual({
      driver: 'ebs.csi.aws.com',
      volumeHandle: 'vol-0123456789abcdef0',
      fsType: 'ext4',
    });
    expect(pv.spec.persistentVolumeReclaimPolicy).toBe('Retain');
    expect(pv.spec.storageClassName).toBe('');
    expect(pv.spec.claimRef).toEqual({
      namespace: 'storage-demo',
      name: 'static-vol-0123456789abcdef0',
    });
    const pvc = find(objects, 'PersistentVolumeClaim', 'static-vol-0123456789abcdef0');
    expect(pvc.spec.volumeName).toBe('static-vol-0123456789abcdef0');
    expect(pvc.spec.storageClassName).toBe('');
    find(objects, 'Deployment', 'static-volume-demo');
  });

  test('staticVolumeZone pins the PV, and so the pod that mounts it, to the zone of the volume', () => {
    const objects = chartsOf('eks', {
      staticVolumeId: 'vol-0123456789abcdef0',
      staticVolumeZone: 'eu-west-1c',
    }).storage;
    const pv = find(objects, 'PersistentVolume', 'static-vol-0123456789abcdef0');
    // The scheduler places a pod only on nodes that satisfy its volumes' node affinity.
    expect(pv.spec.nodeAffinity.required.nodeSelectorTerms).toEqual([
      {
        matchExpressions: [
          { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1c'] },
        ],
      },
    ]);
  });

  test('locally there is no EBS, so no static PV', () => {
    const objects = chartsOf('local', EVERYTHING).storage;
    expect(ofKind(objects, 'PersistentVolume')).toEqual([]);
    expect(objects.map((o) => o.metadata.name).filter((n) => n.startsWith('static-'))).toEqual([]);
  });
});
