import { conflict, tooManyRequests } from '../../../controller/testing/api-errors';
import { cond, fixture, KEY, NS } from '../fixtures';

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
