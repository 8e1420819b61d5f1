import type { V1Secret, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import { BitcoinNetwork, networkLabels } from '../../../controller/api';
import { SyncError } from '../../../controller/runtime/controller';
import { rpcAuthLine } from '../../../controller/bitcoin/credentials';
import { b64, cond, fixture, KEY, NS } from '../fixtures';

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
      requests: { cpu: '100m', memory: '256Mi', 'ephemeral-storage': '1152Mi' },
      limits: { memory: '1Gi', 'ephemeral-storage': '1152Mi' },
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
    expect(pod.volumes).toEqual([{ name: 'data', emptyDir: { sizeLimit: '1Gi' } }]);
    expect(sts?.spec?.volumeClaimTemplates).toBeUndefined();
    // No claims, so no claim retention policy to state.
    expect(sts?.spec?.persistentVolumeClaimRetentionPolicy).toBeUndefined();
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
    // The memory request left out follows the limit given, as Kubernetes defaults it.
    expect(c.resources).toEqual({
      requests: { cpu: '250m', memory: '2Gi', 'ephemeral-storage': '128Mi' },
      limits: { memory: '2Gi', 'ephemeral-storage': '128Mi' },
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

  test('with spec.storage, deleting the network deletes its claims and scaling down keeps them', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 2, storage: { size: '5Gi' } });
    await f.controller.sync(KEY);
    const sts = f.kube.object<V1StatefulSet>('statefulsets', NS, 'net-sts');
    expect(sts?.spec?.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: 'Delete',
      whenScaled: 'Retain',
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

  test('a named Secret with user and password: the derived rpcauth is in the owned Secret net-rpcauth, not in the pod spec', async () => {
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
    expect(env).toEqual([
      { name: 'RPC_USER', valueFrom: { secretKeyRef: { name: 'my-creds', key: 'username' } } },
      { name: 'RPC_PASSWORD', valueFrom: { secretKeyRef: { name: 'my-creds', key: 'password' } } },
      { name: 'RPC_AUTH', valueFrom: { secretKeyRef: { name: 'net-rpcauth', key: 'rpcauth' } } },
    ]);
    const owned = f.kube.object<V1Secret>('secrets', NS, 'net-rpcauth')!;
    expect(owned.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'BitcoinNetwork', name: 'net', controller: true }),
    ]);
    expect(owned.metadata?.labels?.['app.kubernetes.io/managed-by']).toBe('bitcoin-controller');
    const line = Buffer.from(owned.data!.rpcauth, 'base64').toString('utf8');
    expect(line).toMatch(/^alice:[0-9a-f]{32}\$[0-9a-f]{64}$/);
    const salt = line.split(':')[1].split('$')[0];
    expect(line).toBe(rpcAuthLine('alice', 'wonderland', salt));
    expect(JSON.stringify(sts)).not.toContain(line.split('$')[1]);
    // The user's Secret is only read.
    expect(f.kube.callLog((c) => c.name === 'my-creds' && c.verb !== 'get')).toEqual([]);
    expect(f.rpc.calls.every((c) => c.username === 'alice')).toBe(true);
    // no template churn on the next pass
    f.kube.clearCalls();
    await f.controller.sync(KEY);
    expect(f.kube.writes()).toEqual([]);
  });

  test('a new password in the named Secret updates net-rpcauth and rolls the pods', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 2, rpcSecretName: 'my-creds' });
    f.kube.seed('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'my-creds', namespace: NS },
      data: { username: b64('alice'), password: b64('wonderland') },
    } as V1Secret);
    await f.bringUp('net');
    const hash = () =>
      f.kube.object<V1StatefulSet>('statefulsets', NS, 'net-sts')!.spec!.template.metadata
        ?.annotations?.['bitcoin.eksplatform.dev/credentials-hash'];
    const before = hash();
    f.kube.edit<V1Secret>('secrets', NS, 'my-creds', (s) => {
      s.data = { ...s.data, password: b64('looking-glass') };
    });
    f.kube.clearCalls();
    await f.controller.sync(KEY);
    const writes = f.kube.callLog((c) => c.verb !== 'get' && c.resource !== 'events');
    expect(writes).toEqual([`patch secrets ${NS}/net-rpcauth`, `patch statefulsets ${NS}/net-sts`]);
    const owned = f.kube.object<V1Secret>('secrets', NS, 'net-rpcauth')!;
    const line = Buffer.from(owned.data!.rpcauth, 'base64').toString('utf8');
    expect(line).toBe(rpcAuthLine('alice', 'looking-glass', line.split(':')[1].split('$')[0]));
    expect(hash()).toMatch(/^[0-9a-f]{16}$/);
    expect(hash()).not.toBe(before);
  });
});
