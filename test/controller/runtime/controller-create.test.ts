import type {
  V1PodDisruptionBudget,
  V1Secret,
  V1Service,
  V1StatefulSet,
} from '@kubernetes/client-node';
import {
  ANNOTATION_SPEC_HASH,
  BitcoinNetwork,
  Condition,
  networkLabels,
} from '../../../controller/api';
import { SyncError } from '../../../controller/runtime/controller';
import { rpcAuthLine } from '../../../controller/bitcoin/credentials';
import { quantityValue } from '../../../controller/api';
import { conflict, serverError, tooManyRequests } from '../../../controller/testing/kube';
import type { NetworkPolicy } from '../../../controller/kube/cached';
import { FakeBitcoinRpc } from '../../../controller/testing/rpc';
import { AddNodeCommand, RpcEndpoint } from '../../../controller/bitcoin/rpc';
import { RpcResponseError, RpcTimeoutError } from '../../../controller/bitcoin/rpc-errors';
import { deferred, fixture, NOW, NS } from '../fixtures';

const KEY = `${NS}/net`;

function cond(network: BitcoinNetwork, type: string): Condition | undefined {
  return network.status?.conditions?.find((c) => c.type === type);
}

function b64(s: string): string {
  return Buffer.from(s).toString('base64');
}

describe('creating a network', () => {
  test('creates the Secret, Service, NetworkPolicy, PodDisruptionBudget and StatefulSet, each with an event, then status', async () => {
    // GIVEN a new network
    const f = fixture();
    f.addNetwork('net', { nodes: 3 });
    // WHEN it is synced once
    await f.controller.sync(KEY);
    // THEN the children are created in order, each followed by its event, and status is written
    expect(f.kube.callLog((c) => c.verb !== 'get')).toEqual([
      'create secrets default/net-rpc',
      expect.stringMatching(/^create events default\/net\.[0-9a-f]+$/),
      'create services default/net-svc',
      expect.stringMatching(/^create events default\/net\.[0-9a-f]+$/),
      'create networkpolicies default/net-netpol',
      expect.stringMatching(/^create events default\/net\.[0-9a-f]+$/),
      'create poddisruptionbudgets default/net-pdb',
      expect.stringMatching(/^create events default\/net\.[0-9a-f]+$/),
      'create statefulsets default/net-sts',
      expect.stringMatching(/^create events default\/net\.[0-9a-f]+$/),
      'update bitcoinnetworks/status default/net',
    ]);
    expect(f.kube.events().map((e) => [e.type, e.reason])).toEqual([
      ['Normal', 'Created'],
      ['Normal', 'Created'],
      ['Normal', 'Created'],
      ['Normal', 'Created'],
      ['Normal', 'Created'],
    ]);
  });

  test('every child is owned by the network as controller with blockOwnerDeletion and labelled', async () => {
    const f = fixture();
    const net = f.addNetwork('net', { nodes: 3 });
    await f.controller.sync(KEY);
    const labels = networkLabels('net');
    for (const [resource, name] of [
      ['secrets', 'net-rpc'],
      ['services', 'net-svc'],
      ['statefulsets', 'net-sts'],
      ['networkpolicies', 'net-netpol'],
      ['poddisruptionbudgets', 'net-pdb'],
    ] as const) {
      const obj = f.kube.object(resource, NS, name);
      expect(obj?.metadata?.ownerReferences).toEqual([
        {
          apiVersion: 'bitcoin.eksplatform.dev/v1alpha1',
          kind: 'BitcoinNetwork',
          name: 'net',
          uid: net.metadata?.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      expect(obj?.metadata?.labels).toEqual(labels);
    }
    const sts = f.kube.object<V1StatefulSet>('statefulsets', NS, 'net-sts');
    expect(sts?.spec?.template.metadata?.labels).toEqual(labels);
    expect(sts?.spec?.selector.matchLabels).toEqual(labels);
  });

  test('the headless Service has named RPC and P2P ports and selects the pods', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 1 });
    await f.controller.sync(KEY);
    const svc = f.kube.object<V1Service>('services', NS, 'net-svc');
    expect(svc?.spec).toMatchObject({
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: networkLabels('net'),
      ports: [
        { name: 'rpc', port: 18443, targetPort: 18443, protocol: 'TCP' },
        { name: 'p2p', port: 18444, targetPort: 18444, protocol: 'TCP' },
      ],
    });
  });

  test('the StatefulSet runs bitcoind in regtest with salted auth, an RPC readiness probe and a restricted securityContext', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 3 });
    await f.controller.sync(KEY);
    const sts = f.kube.object<V1StatefulSet>('statefulsets', NS, 'net-sts');
    expect(sts?.spec).toMatchObject({
      serviceName: 'net-svc',
      replicas: 3,
      podManagementPolicy: 'Parallel',
    });
    const pod = sts!.spec!.template.spec!;
    const c = pod.containers[0];
    expect(c.image).toBe('bitcoin/bitcoin:29.4');
    expect(c.command).toEqual(['bitcoind']);
    expect(c.args).toEqual(
      expect.arrayContaining([
        '-regtest',
        '-server',
        '-rpcbind=0.0.0.0',
        '-rpcallowip=0.0.0.0/0',
        '-rpcport=18443',
        '-port=18444',
        '-rpcauth=$(RPC_AUTH)',
        '-printtoconsole',
        '-datadir=/data',
      ]),
    );
    expect(c.args?.some((a) => a.startsWith('-rpcpassword'))).toBe(false);
    expect(c.env).toEqual([
      { name: 'RPC_USER', valueFrom: { secretKeyRef: { name: 'net-rpc', key: 'username' } } },
      { name: 'RPC_PASSWORD', valueFrom: { secretKeyRef: { name: 'net-rpc', key: 'password' } } },
      { name: 'RPC_AUTH', valueFrom: { secretKeyRef: { name: 'net-rpc', key: 'rpcauth' } } },
    ]);
    expect(c.ports).toEqual([
      { name: 'rpc', containerPort: 18443, protocol: 'TCP' },
      { name: 'p2p', containerPort: 18444, protocol: 'TCP' },
    ]);
    const probe = c.readinessProbe?.exec?.command ?? [];
    expect(probe.slice(0, 2)).toEqual(['sh', '-c']);
    expect(probe[2]).toContain('bitcoin-cli -regtest');
    expect(probe[2]).toContain('-rpcport=18443');
    expect(probe[2]).toContain('-stdinrpcpass');
    expect(probe[2]).toContain('getnetworkinfo');
    expect(c.livenessProbe?.tcpSocket?.port).toBe('rpc');
    expect(c.resources).toEqual({
      requests: { cpu: '100m', memory: '256Mi' },
      limits: { memory: '1Gi' },
    });
    expect(c.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 101,
      runAsGroup: 101,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, fsGroup: 101 });
    expect(pod.volumes).toEqual([{ name: 'data', emptyDir: {} }]);
    expect(sts?.spec?.volumeClaimTemplates).toBeUndefined();
  });

  test('spec.image, spec.resources and spec.storage reach the StatefulSet', async () => {
    const f = fixture();
    f.addNetwork('net', {
      nodes: 2,
      image: 'bitcoin/bitcoin:28.1',
      resources: { requests: { cpu: '250m' }, limits: { memory: '2Gi' } },
      storage: { size: '5Gi', storageClassName: 'gp3' },
    });
    await f.controller.sync(KEY);
    const sts = f.kube.object<V1StatefulSet>('statefulsets', NS, 'net-sts');
    const c = sts!.spec!.template.spec!.containers[0];
    expect(c.image).toBe('bitcoin/bitcoin:28.1');
    expect(c.resources).toEqual({
      requests: { cpu: '250m', memory: '256Mi' },
      limits: { memory: '2Gi' },
    });
    expect(sts?.spec?.template.spec?.volumes).toEqual([]);
    expect(sts?.spec?.volumeClaimTemplates?.[0]).toMatchObject({
      metadata: { name: 'data' },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: 'gp3',
        resources: { requests: { storage: '5Gi' } },
      },
    });
  });

  test('the generated Secret holds a bitcoind rpcauth line matching its password', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 1 });
    await f.controller.sync(KEY);
    const secret = f.kube.object<V1Secret>('secrets', NS, 'net-rpc')!;
    const d = (k: string) => Buffer.from(secret.data![k], 'base64').toString();
    expect(secret.immutable).toBe(true);
    expect(d('username')).toBe('bitcoin');
    expect(d('password').length).toBeGreaterThanOrEqual(40);
    const [user, rest] = d('rpcauth').split(':');
    const [salt] = rest.split('$');
    expect(user).toBe('bitcoin');
    expect(salt).toMatch(/^[0-9a-f]{32}$/);
    expect(d('rpcauth')).toBe(rpcAuthLine('bitcoin', d('password'), salt));
  });
});

describe('steady state', () => {
  test('a network in steady state causes no API calls at all and only read-only RPC', async () => {
    // GIVEN a network that is up, meshed and has its status
    const f = fixture();
    f.addNetwork('net', { nodes: 3 });
    await f.bringUp('net');
    await f.controller.sync(KEY);
    f.kube.clearCalls();
    f.rpc.calls.length = 0;
    // WHEN it is synced again
    const result = await f.controller.sync(KEY);
    // THEN nothing is written (nor even read: the caches have everything)
    expect(f.kube.calls).toEqual([]);
    expect(result).toEqual({ requeueAfterMs: 30_000, statusWritten: false });
    expect(f.rpc.calls.map((c) => c.method)).toEqual([
      'getaddednodeinfo',
      'getaddednodeinfo',
      'getaddednodeinfo',
    ]);
  });

  test('status is not written when it did not change', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 2 });
    await f.bringUp('net');
    const before = f.network('net').metadata?.resourceVersion;
    f.kube.clearCalls();
    await f.controller.sync(KEY);
    await f.controller.sync(KEY);
    expect(f.kube.writes()).toEqual([]);
    expect(f.network('net').metadata?.resourceVersion).toBe(before);
  });

  test('a successful sync asks for a periodic re-check and resets the backoff', async () => {
    jest.useFakeTimers();
    try {
      const f = fixture();
      f.addNetwork('net', { nodes: 1 });
      f.queue.addRateLimited(KEY);
      expect(f.queue.numRequeues(KEY)).toBe(1);
      await f.controller.processKey(KEY);
      expect(f.queue.numRequeues(KEY)).toBe(0);
      expect(f.queue.pendingDelayed()).toBe(1);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('scaling', () => {
  test('scaling up patches the StatefulSet replicas and records a Scaled event', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 3 });
    await f.bringUp('net');
    f.kube.clearCalls();
    f.kube.edit<BitcoinNetwork>('bitcoinnetworks', NS, 'net', (n) => {
      (n.spec as { nodes: number }).nodes = 5;
    });
    await f.controller.sync(KEY);
    const patches = f.kube.calls.filter((c) => c.verb === 'patch');
    expect(patches).toEqual([
      {
        verb: 'patch',
        resource: 'statefulsets',
        namespace: NS,
        name: 'net-sts',
        body: { spec: { replicas: 5 } },
      },
    ]);
    expect(f.kube.object<V1StatefulSet>('statefulsets', NS, 'net-sts')?.spec?.replicas).toBe(5);
    expect(f.kube.events().at(-1)).toMatchObject({
      type: 'Normal',
      reason: 'Scaled',
      message: 'Scaled StatefulSet "net-sts" from 3 to 5 node(s)',
    });
    expect(cond(f.network('net'), 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'ScalingUp',
    });
  });

  test('scaling down patches replicas and removes the departed peers from the mesh', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 3 });
    await f.bringUp('net');
    expect(f.rpc.addedNodes('10.0.1.1')).toEqual(['10.0.1.2:18444', '10.0.1.3:18444']);
    f.kube.edit<BitcoinNetwork>('bitcoinnetworks', NS, 'net', (n) => {
      (n.spec as { nodes: number }).nodes = 1;
    });
    await f.controller.sync(KEY);
    expect(f.kube.object<V1StatefulSet>('statefulsets', NS, 'net-sts')?.spec?.replicas).toBe(1);
    f.kube.runStatefulSets();
    await f.controller.sync(KEY);
    expect(f.rpc.addedNodes('10.0.1.1')).toEqual([]);
    const net = f.network('net');
    expect(net.status).toMatchObject({ replicas: 1, readyNodes: 1 });
    expect(cond(net, 'Ready')?.status).toBe('True');
  });
});

describe('drift', () => {
  test('replicas edited by hand are set back', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 2 });
    await f.bringUp('net');
    f.kube.edit<V1StatefulSet>('statefulsets', NS, 'net-sts', (s) => {
      s.spec!.replicas = 7;
    });
    f.kube.clearCalls();
    await f.controller.sync(KEY);
    expect(f.kube.callLog((c) => c.verb === 'patch')).toEqual([
      'patch statefulsets default/net-sts',
    ]);
    expect(f.kube.object<V1StatefulSet>('statefulsets', NS, 'net-sts')?.spec?.replicas).toBe(2);
  });

  test('a deleted StatefulSet is recreated', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 2 });
    await f.bringUp('net');
    f.kube.remove('statefulsets', NS, 'net-sts');
    f.kube.clearCalls();
    await f.controller.sync(KEY);
    expect(f.kube.callLog((c) => c.verb === 'create' && c.resource !== 'events')).toEqual([
      'create statefulsets default/net-sts',
    ]);
  });

  test('a deleted Service is recreated', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 2 });
    await f.bringUp('net');
    f.kube.remove('services', NS, 'net-svc');
    f.kube.clearCalls();
    await f.controller.sync(KEY);
    expect(f.kube.callLog((c) => c.verb === 'create' && c.resource !== 'events')).toEqual([
      'create services default/net-svc',
    ]);
  });

  test('a deleted NetworkPolicy and PodDisruptionBudget are recreated', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 2 });
    await f.bringUp('net');
    f.kube.remove('networkpolicies', NS, 'net-netpol');
    f.kube.remove('poddisruptionbudgets', NS, 'net-pdb');
    f.kube.clearCalls();
    await f.controller.sync(KEY);
    expect(f.kube.callLog((c) => c.verb === 'create' && c.resource !== 'events')).toEqual([
      'create networkpolicies default/net-netpol',
      'create poddisruptionbudgets default/net-pdb',
    ]);
  });

  test('a NetworkPolicy opened to everyone by hand is patched back, then left alone', async () => {
    // GIVEN a network that is up, whose policy someone widened to "RPC from anywhere"
    const f = fixture();
    f.addNetwork('net', { nodes: 2 });
    await f.bringUp('net');
    const original = f.kube.object<NetworkPolicy>('networkpolicies', NS, 'net-netpol')!;
    f.kube.edit<NetworkPolicy>('networkpolicies', NS, 'net-netpol', (p) => {
      p.spec!.ingress = [{ ports: [{ protocol: 'TCP', port: 18443 }] }];
    });
    f.kube.clearCalls();
    // WHEN it is synced
    await f.controller.sync(KEY);
    // THEN exactly one patch restores the spec, with an Updated event
    expect(f.kube.callLog((c) => c.verb === 'patch')).toEqual([
      'patch networkpolicies default/net-netpol',
    ]);
    expect(f.kube.object<NetworkPolicy>('networkpolicies', NS, 'net-netpol')?.spec).toEqual(
      original.spec,
    );
    expect(f.kube.events().at(-1)?.message).toBe(
      'Updated NetworkPolicy "net-netpol" to the desired spec',
    );
    // AND the next pass writes nothing
    f.kube.clearCalls();
    await f.controller.sync(KEY);
    expect(f.kube.writes()).toEqual([]);
  });

  test('a PodDisruptionBudget loosened by hand is patched back', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 3 });
    await f.bringUp('net');
    f.kube.edit<V1PodDisruptionBudget>('poddisruptionbudgets', NS, 'net-pdb', (p) => {
      p.spec!.maxUnavailable = 3;
    });
    await f.controller.sync(KEY);
    expect(
      f.kube.object<V1PodDisruptionBudget>('poddisruptionbudgets', NS, 'net-pdb')?.spec
        ?.maxUnavailable,
    ).toBe(1);
  });

  test('a Service whose ports were edited is patched back', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 1 });
    await f.bringUp('net');
    f.kube.edit<V1Service>('services', NS, 'net-svc', (s) => {
      s.spec!.ports = [{ name: 'other', port: 1 }];
      s.metadata!.annotations = { [ANNOTATION_SPEC_HASH]: 'edited' };
    });
    await f.controller.sync(KEY);
    const svc = f.kube.object<V1Service>('services', NS, 'net-svc');
    expect(svc?.spec?.ports?.map((p) => p.name)).toEqual(['rpc', 'p2p']);
    expect(svc?.spec?.clusterIP).toBe('None');
  });

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

  test.each([
    ['512Mi', 512 * 2 ** 20],
    ['0.5Gi', 2 ** 29],
    ['1G', 1e9],
    ['100m', 0.1],
    ['1e3', 1000],
    ['12', 12],
    ['5Xi', undefined],
  ])('quantityValue(%s)', (q, v) => {
    expect(quantityValue(q)).toBe(v);
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
  ])('%j is reported as InvalidSpec and nothing is created', async (spec, message) => {
    const f = fixture();
    f.addNetwork('net', spec as BitcoinNetwork['spec']);
    await expect(f.controller.sync(KEY)).rejects.toBeInstanceOf(SyncError);
    expect(f.kube.callLog((c) => c.verb === 'create' && c.resource !== 'events')).toEqual([]);
    expect(cond(f.network('net'), 'Degraded')).toMatchObject({ reason: 'InvalidSpec', message });
  });
});

describe('deletion', () => {
  test('a network with a deletionTimestamp is skipped: no calls', async () => {
    const f = fixture();
    f.kube.seed('bitcoinnetworks', {
      apiVersion: 'bitcoin.eksplatform.dev/v1alpha1',
      kind: 'BitcoinNetwork',
      metadata: {
        name: 'net',
        namespace: NS,
        deletionTimestamp: NOW,
        finalizers: ['foregroundDeletion'],
      },
      spec: { nodes: 3 },
    });
    await expect(f.controller.sync(KEY)).resolves.toEqual({ skipped: 'deleting' });
    expect(f.kube.calls).toEqual([]);
  });

  test('a network that is gone is done', async () => {
    const f = fixture();
    await expect(f.controller.sync(KEY)).resolves.toEqual({ skipped: 'gone' });
    expect(f.kube.calls).toEqual([]);
  });
});

describe('status', () => {
  test('status lists each pod with ordinal, readiness, IP, node and DNS name', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 3 });
    await f.controller.sync(KEY);
    f.kube.runStatefulSets({ ready: false });
    f.kube.edit('pods', NS, 'net-sts-1', (p) => {
      (p as { status: unknown }).status = {
        podIP: '10.0.1.2',
        conditions: [{ type: 'Ready', status: 'True' }],
      };
    });
    await f.controller.sync(KEY);
    const net = f.network('net');
    expect(net.status).toMatchObject({
      observedGeneration: 1,
      replicas: 3,
      readyNodes: 1,
      selector:
        'app.kubernetes.io/instance=net,app.kubernetes.io/managed-by=bitcoin-controller,' +
        'app.kubernetes.io/name=bitcoind,bitcoin.eksplatform.dev/network=net',
      nodes: [
        {
          ordinal: 0,
          ready: false,
          ip: '10.0.1.1',
          nodeName: 'node-a',
          dnsName: 'net-sts-0.net-svc.default.svc.cluster.local',
        },
        {
          ordinal: 1,
          ready: true,
          ip: '10.0.1.2',
          nodeName: 'node-a',
          dnsName: 'net-sts-1.net-svc.default.svc.cluster.local',
        },
        { ordinal: 2, ready: false },
      ],
    });
    expect(cond(net, 'Ready')).toMatchObject({ status: 'False', reason: 'NodesNotReady' });
    expect(cond(net, 'Progressing')).toMatchObject({ status: 'True', reason: 'NodesStarting' });
    expect(cond(net, 'Degraded')).toMatchObject({ status: 'False', reason: 'AsExpected' });
  });

  test('all nodes ready gives Ready=True with the generation and transition time', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 2 });
    await f.bringUp('net');
    const net = f.network('net');
    expect(net.status).toMatchObject({ replicas: 2, readyNodes: 2 });
    expect(cond(net, 'Ready')).toEqual({
      type: 'Ready',
      status: 'True',
      reason: 'NodesReady',
      message: '2/2 node(s) ready and meshed',
      lastTransitionTime: '2026-01-01T00:00:00Z',
      observedGeneration: 1,
    });
    expect(cond(net, 'Progressing')?.status).toBe('False');
  });

  test('a network of zero nodes is Ready', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 0 });
    await f.controller.sync(KEY);
    expect(cond(f.network('net'), 'Ready')?.status).toBe('True');
  });

  test('a 409 conflict on the status write is retried on the fresh object', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 1 });
    f.kube.failNext('update', 'bitcoinnetworks', conflict('bitcoinnetworks', 'net'));
    await f.controller.sync(KEY);
    expect(f.kube.callLog((c) => c.resource === 'bitcoinnetworks')).toEqual([
      'update bitcoinnetworks/status default/net',
      'get bitcoinnetworks default/net',
      'update bitcoinnetworks/status default/net',
    ]);
    expect(cond(f.network('net'), 'Progressing')?.reason).toBe('ScalingUp');
  });

  test('a 429 with Retry-After requeues the key after that delay, not with backoff', async () => {
    jest.useFakeTimers();
    try {
      const f = fixture();
      f.addNetwork('net', { nodes: 1 });
      f.kube.failNext('create', 'statefulsets', tooManyRequests(7));
      await f.controller.processKey(KEY);
      expect(f.queue.numRequeues(KEY)).toBe(0);
      expect(f.queue.pendingDelayed()).toBe(1);
      jest.advanceTimersByTime(6_999);
      expect(f.queue.len()).toBe(0);
      jest.advanceTimersByTime(1);
      expect(f.queue.len()).toBe(1);
      f.queue.shutDown();
    } finally {
      jest.useRealTimers();
    }
  });

  test('persistent conflicts give up after a few tries and the key is retried with backoff', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 1 });
    f.kube.failNext('update', 'bitcoinnetworks', conflict('bitcoinnetworks', 'net'), 100);
    await f.controller.processKey(KEY);
    expect(f.kube.callLog((c) => c.verb === 'update')).toHaveLength(4);
    expect(f.queue.numRequeues(KEY)).toBe(1);
    f.queue.shutDown();
  });
});

describe('RPC mesh', () => {
  test('every ready node is told about every other ready node', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 3 });
    await f.bringUp('net');
    expect(f.rpc.addedNodes('10.0.1.1')).toEqual(['10.0.1.2:18444', '10.0.1.3:18444']);
    expect(f.rpc.addedNodes('10.0.1.2')).toEqual(['10.0.1.1:18444', '10.0.1.3:18444']);
    expect(f.rpc.addedNodes('10.0.1.3')).toEqual(['10.0.1.1:18444', '10.0.1.2:18444']);
    // The RPC calls use the generated credentials and the RPC port.
    const secret = f.kube.object<V1Secret>('secrets', NS, 'net-rpc')!;
    const user = Buffer.from(secret.data!.username, 'base64').toString();
    expect(new Set(f.rpc.calls.map((c) => `${c.username}@${c.port}`))).toEqual(
      new Set([`${user}@18443`]),
    );
  });

  test('a node that stops being ready is removed from the others', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 3 });
    await f.bringUp('net');
    f.kube.edit('pods', NS, 'net-sts-2', (p) => {
      (p as { status: unknown }).status = {
        podIP: '10.0.1.3',
        conditions: [{ type: 'Ready', status: 'False' }],
      };
    });
    await f.controller.sync(KEY);
    expect(f.rpc.addedNodes('10.0.1.1')).toEqual(['10.0.1.2:18444']);
    expect(f.rpc.addedNodes('10.0.1.2')).toEqual(['10.0.1.1:18444']);
  });

  test('-23 already added and -24 not added are treated as success', async () => {
    // GIVEN a bitcoind whose list looks empty but which answers addnode with -23 and -24
    const inner = new FakeBitcoinRpc();
    const racing = {
      calls: 0,
      getAddedNodeInfo: async (ep: RpcEndpoint) => [
        ...(await inner.getAddedNodeInfo(ep)),
        { addednode: '10.9.9.9:18444', connected: false },
      ],
      addNode: async (_ep: RpcEndpoint, _node: string, command: AddNodeCommand) => {
        racing.calls++;
        throw command === 'add'
          ? new RpcResponseError(-23, 'Error: Node already added', 'addnode')
          : new RpcResponseError(-24, 'Error: Node has not been added.', 'addnode');
      },
    };
    const f = fixture({ rpc: racing });
    f.addNetwork('net', { nodes: 2 });
    await f.controller.sync(KEY);
    f.kube.runStatefulSets();
    // WHEN synced
    await expect(f.controller.sync(KEY)).resolves.toMatchObject({ requeueAfterMs: 30_000 });
    // THEN both adds and both removes were tried and the network is not degraded
    expect(racing.calls).toBe(4);
    expect(cond(f.network('net'), 'Degraded')?.status).toBe('False');
    expect(cond(f.network('net'), 'Ready')?.status).toBe('True');
  });

  test('an RPC timeout gives a Degraded condition, a Warning event and a backoff requeue', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 2 });
    await f.controller.sync(KEY);
    f.kube.runStatefulSets();
    f.rpc.fail(
      '10.0.1.2',
      new RpcTimeoutError('getaddednodeinfo on 10.0.1.2:18443 timed out after 5000 ms'),
    );
    // WHEN the key is processed
    await f.controller.processKey(KEY);
    // THEN the failure is in status and events, and the key waits on its backoff
    const net = f.network('net');
    expect(cond(net, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'RPCError',
      message:
        'RPC mesh failed: pod net-sts-1: getaddednodeinfo on 10.0.1.2:18443 timed out after 5000 ms',
    });
    expect(cond(net, 'Ready')).toMatchObject({ status: 'False', reason: 'Degraded' });
    expect(f.kube.events().at(-1)).toMatchObject({ type: 'Warning', reason: 'RPCError' });
    expect(f.queue.numRequeues(KEY)).toBe(1);
    expect(f.queue.pendingDelayed()).toBe(1);
    // the healthy node was still meshed
    expect(f.rpc.addedNodes('10.0.1.1')).toEqual(['10.0.1.2:18444']);
    f.queue.shutDown();
  });

  test('an RPC error response is reported the same way, and clears once healed', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 2 });
    await f.controller.sync(KEY);
    f.kube.runStatefulSets();
    f.rpc.fail('10.0.1.1', new RpcResponseError(-28, 'Loading block index...', 'getaddednodeinfo'));
    await expect(f.controller.sync(KEY)).rejects.toBeInstanceOf(SyncError);
    expect(cond(f.network('net'), 'Degraded')?.reason).toBe('RPCError');
    f.rpc.heal('10.0.1.1');
    await f.controller.sync(KEY);
    expect(cond(f.network('net'), 'Degraded')?.status).toBe('False');
    expect(cond(f.network('net'), 'Ready')?.status).toBe('True');
  });

  test('one network hanging on RPC does not block another', async () => {
    // GIVEN two networks, A's bitcoind hanging, and two workers
    const f = fixture();
    f.addNetwork('a', { nodes: 1 });
    f.addNetwork('b', { nodes: 1 });
    await f.controller.sync(`${NS}/a`);
    await f.controller.sync(`${NS}/b`);
    f.kube.runStatefulSets();
    const hostA = '10.0.1.1';
    f.rpc.hang(hostA);
    const bWritten = deferred();
    f.kube.prependReactor('update', 'bitcoinnetworks', (call) => {
      if (call.name === 'b') bWritten.resolve();
      return undefined;
    });
    f.controller.start(2);
    // WHEN both are queued
    f.queue.add(`${NS}/a`);
    f.queue.add(`${NS}/b`);
    // THEN B's status is written while A is still waiting on its node
    await bWritten.promise;
    expect(f.rpc.waiting(hostA)).toBe(1);
    expect(cond(f.network('b'), 'Ready')?.status).toBe('True');
    // and A finishes with a condition once its call fails
    f.rpc.fail(hostA, new RpcTimeoutError('getaddednodeinfo timed out'));
    f.rpc.release(hostA);
    await f.queue.whenIdle();
    expect(cond(f.network('a'), 'Degraded')?.reason).toBe('RPCError');
    await f.controller.shutdown();
  });

  test('the RPC password never appears in the logs', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 2 });
    await f.controller.sync(KEY);
    f.kube.runStatefulSets();
    f.rpc.fail('10.0.1.2', new RpcTimeoutError('timed out'));
    await f.controller.processKey(KEY);
    f.queue.shutDown();
    const secret = f.kube.object<V1Secret>('secrets', NS, 'net-rpc')!;
    const password = Buffer.from(secret.data!.password, 'base64').toString();
    expect(f.logs.length).toBeGreaterThan(0);
    expect(f.logs.join('\n')).not.toContain(password);
  });
});

describe('RPC credentials', () => {
  test('a generated Secret is created once and never rotated', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 1 });
    await f.controller.sync(KEY);
    const first = f.kube.object<V1Secret>('secrets', NS, 'net-rpc');
    f.kube.edit<BitcoinNetwork>('bitcoinnetworks', NS, 'net', (n) => {
      (n.spec as { nodes: number }).nodes = 2;
    });
    await f.bringUp('net');
    await f.controller.sync(KEY);
    expect(f.kube.callLog((c) => c.resource === 'secrets' && c.verb !== 'get')).toEqual([
      'create secrets default/net-rpc',
    ]);
    expect(f.kube.object<V1Secret>('secrets', NS, 'net-rpc')).toBe(first);
  });

  test('a Secret missing from the cache is looked up before anything is generated', async () => {
    // GIVEN our Secret exists in the API but the cache has not seen it (no label)
    const f = fixture();
    const net = f.addNetwork('net', { nodes: 1 });
    f.kube.seed('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'net-rpc',
        namespace: NS,
        ownerReferences: [
          {
            apiVersion: 'bitcoin.eksplatform.dev/v1alpha1',
            kind: 'BitcoinNetwork',
            name: 'net',
            uid: net.metadata!.uid!,
            controller: true,
          },
        ],
      },
      data: { username: b64('u'), password: b64('p'), rpcauth: b64(rpcAuthLine('u', 'p', 'aa')) },
    } as V1Secret);
    await f.controller.sync(KEY);
    expect(f.kube.callLog((c) => c.resource === 'secrets')).toEqual([
      'get secrets default/net-rpc',
    ]);
  });

  test('a named Secret that does not exist gives Degraded, no StatefulSet, and a retry', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 2, rpcSecretName: 'my-creds' });
    await f.controller.processKey(KEY);
    const net = f.network('net');
    expect(cond(net, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'SecretNotFound',
      message: 'Secret "my-creds" named in spec.rpcSecretName was not found in namespace "default"',
    });
    expect(f.kube.object('statefulsets', NS, 'net-sts')).toBeUndefined();
    expect(f.kube.object('services', NS, 'net-svc')).toBeDefined();
    expect(f.kube.object('secrets', NS, 'net-rpc')).toBeUndefined();
    expect(f.kube.events().at(-1)).toMatchObject({ type: 'Warning', reason: 'SecretNotFound' });
    expect(f.queue.numRequeues(KEY)).toBe(1);
    f.queue.shutDown();
  });

  test('a named Secret without a password key gives Degraded naming the key', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 2, rpcSecretName: 'my-creds' });
    f.kube.seed('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'my-creds', namespace: NS },
      data: { username: b64('alice') },
    } as V1Secret);
    await expect(f.controller.sync(KEY)).rejects.toBeInstanceOf(SyncError);
    expect(cond(f.network('net'), 'Degraded')).toMatchObject({
      reason: 'SecretKeyMissing',
      message: 'Secret "my-creds" in namespace "default" lacks the key(s) "password"',
    });
  });

  test('a named Secret with user and password gets a stable derived rpcauth and is used for RPC', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 2, rpcSecretName: 'my-creds' });
    f.kube.seed('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'my-creds', namespace: NS },
      data: { username: b64('alice'), password: b64('wonderland') },
    } as V1Secret);
    await f.bringUp('net');
    const sts = f.kube.object<V1StatefulSet>('statefulsets', NS, 'net-sts')!;
    const env = sts.spec!.template.spec!.containers[0].env!;
    const auth = env.find((e) => e.name === 'RPC_AUTH')!;
    expect(auth.value).toMatch(/^alice:[0-9a-f]{32}\$[0-9a-f]{64}$/);
    const [, rest] = auth.value!.split(':');
    expect(auth.value).toBe(rpcAuthLine('alice', 'wonderland', rest.split('$')[0]));
    expect(env.find((e) => e.name === 'RPC_USER')?.valueFrom?.secretKeyRef?.name).toBe('my-creds');
    expect(f.rpc.calls.every((c) => c.username === 'alice')).toBe(true);
    // no template churn on the next pass
    f.kube.clearCalls();
    await f.controller.sync(KEY);
    expect(f.kube.writes()).toEqual([]);
  });
});

describe('ownership', () => {
  test('a Service of the same name owned by someone else is not adopted: Warning and Degraded', async () => {
    // GIVEN a Service net-svc that belongs to another controller (and lacks our label)
    const f = fixture();
    f.addNetwork('net', { nodes: 1 });
    f.kube.seed('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'net-svc',
        namespace: NS,
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: 'web',
            uid: 'other',
            controller: true,
          },
        ],
      },
      spec: { ports: [{ port: 80 }] },
    } as V1Service);
    // WHEN synced
    await expect(f.controller.sync(KEY)).rejects.toBeInstanceOf(SyncError);
    // THEN it is left alone and reported
    expect(f.kube.callLog((c) => c.resource === 'services')).toEqual([
      'get services default/net-svc',
    ]);
    const net = f.network('net');
    expect(cond(net, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'ErrResourceExists',
      message:
        'Service "net-svc" already exists in namespace "default" and is not managed by this BitcoinNetwork',
    });
    expect(f.kube.events().find((e) => e.type === 'Warning')).toMatchObject({
      reason: 'ErrResourceExists',
      involvedObject: { kind: 'BitcoinNetwork', name: 'net', uid: net.metadata?.uid },
    });
    // the StatefulSet is still made
    expect(f.kube.object('statefulsets', NS, 'net-sts')).toBeDefined();
  });

  test('a StatefulSet controlled by another network is not adopted', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 1 });
    f.kube.seed('statefulsets', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: {
        name: 'net-sts',
        namespace: NS,
        labels: networkLabels('net'),
        ownerReferences: [
          {
            apiVersion: 'bitcoin.eksplatform.dev/v1alpha1',
            kind: 'BitcoinNetwork',
            name: 'net',
            uid: 'uid-of-an-older-network',
            controller: true,
          },
        ],
      },
      spec: { replicas: 9 } as V1StatefulSet['spec'],
    } as V1StatefulSet);
    await expect(f.controller.sync(KEY)).rejects.toBeInstanceOf(SyncError);
    expect(f.kube.callLog((c) => c.resource === 'statefulsets')).toEqual([]);
    expect(cond(f.network('net'), 'Degraded')?.reason).toBe('ErrResourceExists');
  });

  test('the Warning is recorded once while the problem stays the same', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 1, rpcSecretName: 'absent' });
    await f.controller.sync(KEY).catch(() => undefined);
    await f.controller.sync(KEY).catch(() => undefined);
    await f.controller.sync(KEY).catch(() => undefined);
    expect(f.kube.events().filter((e) => e.type === 'Warning')).toHaveLength(1);
  });
});

describe('API errors', () => {
  test('a failed create is reported as SyncError in status and retried', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 1 });
    f.kube.failNext('create', 'statefulsets', serverError());
    await f.controller.processKey(KEY);
    expect(cond(f.network('net'), 'Degraded')).toMatchObject({
      reason: 'SyncError',
      message: 'etcdserver: request timed out',
    });
    expect(f.queue.numRequeues(KEY)).toBe(1);
    f.queue.shutDown();
    // the retry completes the job
    await f.controller.sync(KEY);
    expect(f.kube.object('statefulsets', NS, 'net-sts')).toBeDefined();
  });
});
