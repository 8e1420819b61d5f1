import type { V1PodDisruptionBudget, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import { ANNOTATION_SPEC_HASH, BitcoinNetwork } from '../../../controller/api';
import { SyncError } from '../../../controller/runtime/controller';
import type { NetworkPolicy } from '../../../controller/kube/cached';
import { cond, fixture, KEY, NS } from '../fixtures';

type Stored = V1StatefulSet & V1Service & NetworkPolicy & V1PodDisruptionBudget;

describe('drift', () => {
  test.each([
    { what: 'the StatefulSet', removed: [['statefulsets', 'net-sts']] },
    { what: 'the Service', removed: [['services', 'net-svc']] },
    {
      what: 'the NetworkPolicy and PodDisruptionBudget',
      removed: [
        ['networkpolicies', 'net-netpol'],
        ['poddisruptionbudgets', 'net-pdb'],
      ],
    },
  ] as const)('a deleted child is recreated: $what', async ({ removed }) => {
    // GIVEN a network that is up, whose children someone deleted
    const f = fixture();
    f.addNetwork('net', { nodes: 2 });
    await f.bringUp('net');
    for (const [resource, name] of removed) f.kube.remove(resource, NS, name);
    f.kube.clearCalls();
    // WHEN it is synced
    await f.controller.sync(KEY);
    // THEN exactly those are created again
    expect(f.kube.callLog((c) => c.verb === 'create' && c.resource !== 'events')).toEqual(
      removed.map(([resource, name]) => `create ${resource} ${NS}/${name}`),
    );
  });

  test.each([
    {
      what: 'StatefulSet replicas edited',
      nodes: 2,
      resource: 'statefulsets',
      name: 'net-sts',
      edit: (s: Stored) => {
        s.spec!.replicas = 7;
      },
      restored: (s: Stored) => expect(s.spec?.replicas).toBe(2),
      event: 'Scaled StatefulSet "net-sts" from 7 to 2 node(s)',
    },
    {
      what: 'NetworkPolicy opened to everyone',
      nodes: 2,
      resource: 'networkpolicies',
      name: 'net-netpol',
      edit: (p: Stored) => {
        p.spec!.ingress = [{ ports: [{ protocol: 'TCP', port: 18443 }] }];
      },
      restored: (p: Stored) => {
        expect(p.spec?.ingress).toHaveLength(2);
        expect(p.spec?.ingress?.[0].from).toHaveLength(1);
      },
      event: 'Updated NetworkPolicy "net-netpol" to the desired spec',
    },
    {
      what: 'PodDisruptionBudget loosened',
      nodes: 3,
      resource: 'poddisruptionbudgets',
      name: 'net-pdb',
      edit: (p: Stored) => {
        p.spec!.maxUnavailable = 3;
      },
      restored: (p: Stored) => expect(p.spec?.maxUnavailable).toBe(1),
      event: 'Updated PodDisruptionBudget "net-pdb" to the desired spec',
    },
    {
      what: 'Service ports edited',
      nodes: 1,
      resource: 'services',
      name: 'net-svc',
      edit: (s: Stored) => {
        s.spec!.ports = [{ name: 'other', port: 1 }];
        s.metadata!.annotations = { [ANNOTATION_SPEC_HASH]: 'edited' };
      },
      restored: (s: Stored) => {
        expect(s.spec?.ports?.map((p) => p.name)).toEqual(['rpc', 'p2p']);
        expect(s.spec?.clusterIP).toBe('None');
      },
      event: 'Updated Service "net-svc" to the desired ports and selector',
    },
  ] as const)(
    'a child edited by hand is patched back once, then left alone: $what',
    async ({ nodes, resource, name, edit, restored, event }) => {
      // GIVEN a network that is up, whose child someone edited
      const f = fixture();
      f.addNetwork('net', { nodes });
      await f.bringUp('net');
      const original = f.kube.object<Stored>(resource, NS, name)!;
      f.kube.edit<Stored>(resource, NS, name, edit);
      f.kube.clearCalls();
      // WHEN it is synced
      await f.controller.sync(KEY);
      // THEN one patch restores it, with an event that says so
      expect(f.kube.callLog((c) => c.verb === 'patch')).toEqual([
        `patch ${resource} ${NS}/${name}`,
      ]);
      const now = f.kube.object<Stored>(resource, NS, name)!;
      restored(now);
      expect(now.spec).toEqual(original.spec);
      expect(f.kube.events().at(-1)?.message).toBe(event);
      // AND the next pass writes nothing
      f.kube.clearCalls();
      await f.controller.sync(KEY);
      expect(f.kube.writes()).toEqual([]);
    },
  );

  test('a new image rolls the pod template', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 1 });
    await f.bringUp('net');
    f.kube.edit<BitcoinNetwork>('bitcoinnetworks', NS, 'net', (n) => {
      (n.spec as { image?: string }).image = 'bitcoin/bitcoin:28.1';
    });
    await f.controller.sync(KEY);
    const sts = f.kube.object<V1StatefulSet>('statefulsets', NS, 'net-sts');
    expect(sts?.spec?.template.spec?.containers[0].image).toBe('bitcoin/bitcoin:28.1');
    expect(f.kube.events().at(-1)?.reason).toBe('Updated');
  });
});

describe('storage', () => {
  test('adding spec.storage to an existing network is refused with a condition, not applied', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 1 });
    await f.bringUp('net');
    f.kube.edit<BitcoinNetwork>('bitcoinnetworks', NS, 'net', (n) => {
      (n.spec as { storage?: object }).storage = { size: '1Gi' };
    });
    f.kube.clearCalls();
    await expect(f.controller.sync(KEY)).rejects.toBeInstanceOf(SyncError);
    expect(f.kube.callLog((c) => c.resource === 'statefulsets')).toEqual([]);
    expect(cond(f.network('net'), 'Degraded')).toMatchObject({
      reason: 'StorageImmutable',
      message:
        'spec.storage of an existing network cannot change (StatefulSet "net-sts" has ephemeral ' +
        'storage, the spec asks for 1073741824 bytes of storage class (default)); delete and ' +
        'recreate the network',
    });
  });

  test('a size the API server wrote in another unit is the same size', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 1, storage: { size: '0.5Gi' } });
    await f.bringUp('net');
    f.kube.edit<V1StatefulSet>('statefulsets', NS, 'net-sts', (s) => {
      s.spec!.volumeClaimTemplates![0].spec!.resources!.requests!.storage = '512Mi';
    });
    f.kube.clearCalls();
    await f.controller.sync(KEY);
    expect(f.kube.writes()).toEqual([]);
  });

  test('a StatefulSet without the claim retention policy gets it in one patch, then is left alone', async () => {
    // GIVEN a network with storage whose StatefulSet an earlier controller wrote without the
    // policy: the API server then defaults it to keep every claim
    const f = fixture();
    f.addNetwork('net', { nodes: 2, storage: { size: '1Gi' } });
    await f.bringUp('net');
    f.kube.edit<V1StatefulSet>('statefulsets', NS, 'net-sts', (s) => {
      s.spec!.persistentVolumeClaimRetentionPolicy = {
        whenDeleted: 'Retain',
        whenScaled: 'Retain',
      };
    });
    const template = f.kube.object<V1StatefulSet>('statefulsets', NS, 'net-sts')!.spec!.template;
    f.kube.clearCalls();
    // WHEN it is synced
    await f.controller.sync(KEY);
    // THEN one patch sets the policy and leaves the pod template (so the pods) as they were
    expect(f.kube.callLog((c) => c.verb === 'patch')).toEqual([`patch statefulsets ${NS}/net-sts`]);
    const sts = f.kube.object<V1StatefulSet>('statefulsets', NS, 'net-sts')!;
    expect(sts.spec?.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: 'Delete',
      whenScaled: 'Retain',
    });
    expect(sts.spec?.template).toEqual(template);
    expect(f.kube.events().at(-1)?.message).toBe(
      'Updated the volume claim retention policy of StatefulSet "net-sts"',
    );
    // AND the next pass writes nothing
    f.kube.clearCalls();
    await f.controller.sync(KEY);
    expect(f.kube.writes()).toEqual([]);
  });

  test('without storage the policy the API server defaults is left alone', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 1 });
    await f.bringUp('net');
    f.kube.edit<V1StatefulSet>('statefulsets', NS, 'net-sts', (s) => {
      s.spec!.persistentVolumeClaimRetentionPolicy = {
        whenDeleted: 'Retain',
        whenScaled: 'Retain',
      };
    });
    f.kube.clearCalls();
    await f.controller.sync(KEY);
    expect(f.kube.writes()).toEqual([]);
  });
});

describe('invalid spec', () => {
  test.each([
    [{ nodes: 51 }, 'spec.nodes must be an integer from 0 to 50, got 51'],
    [{ nodes: 1.5 }, 'spec.nodes must be an integer from 0 to 50, got 1.5'],
    [
      { nodes: 1, storage: { size: 'lots' } },
      'spec.storage.size must be a quantity such as "1Gi", got "lots"',
    ],
    [{ nodes: 1, image: ' ' }, 'spec.image must be a non-empty image reference, got " "'],
    [
      { nodes: 1, resources: { requests: { memory: '2Gi' }, limits: { memory: '1Gi' } } },
      'spec.resources.requests.memory (2Gi) must be less than or equal to spec.resources.limits.memory (1Gi)',
    ],
    [
      { nodes: 1, resources: { requests: { cpu: '2' }, limits: { cpu: '1500m' } } },
      'spec.resources.requests.cpu (2) must be less than or equal to spec.resources.limits.cpu (1500m)',
    ],
    [
      // int-or-string: the schema lets integers through.
      { nodes: 1, resources: { requests: { cpu: 2 }, limits: { cpu: 1 } } },
      'spec.resources.requests.cpu (2) must be less than or equal to spec.resources.limits.cpu (1)',
    ],
    [
      { nodes: 1, resources: { limits: { memory: '-1Gi' } } },
      'spec.resources.limits.memory must be a non-negative quantity such as "500m" or "1Gi", got "-1Gi"',
    ],
  ])('%j is reported as InvalidSpec and nothing is created', async (spec, message) => {
    const f = fixture();
    f.addNetwork('net', spec as BitcoinNetwork['spec']);
    await expect(f.controller.sync(KEY)).rejects.toBeInstanceOf(SyncError);
    expect(f.kube.callLog((c) => c.verb === 'create' && c.resource !== 'events')).toEqual([]);
    expect(cond(f.network('net'), 'Degraded')).toMatchObject({ reason: 'InvalidSpec', message });
  });
});
