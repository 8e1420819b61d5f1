import type { V1Service, V1StatefulSet } from '@kubernetes/client-node';
import { networkLabels } from '../../../controller/api';
import { SyncError } from '../../../controller/runtime/controller';
import { serverError } from '../../../controller/testing/api-errors';
import { cond, fixture, KEY, NS } from '../fixtures';

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
