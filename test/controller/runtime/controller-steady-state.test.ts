import type { V1StatefulSet } from '@kubernetes/client-node';
import { BitcoinNetwork } from '../../../controller/api';
import { cond, fixture, KEY, NOW, NS } from '../fixtures';

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
