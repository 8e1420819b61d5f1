import type { V1Secret } from '@kubernetes/client-node';
import { SyncError } from '../../../controller/runtime/controller';
import { FakeBitcoinRpc } from '../../../controller/testing/rpc';
import { AddNodeCommand, RpcEndpoint } from '../../../controller/bitcoin/rpc';
import { RpcResponseError, RpcTimeoutError } from '../../../controller/bitcoin/rpc-errors';
import { cond, deferred, fixture, KEY, NS } from '../fixtures';

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
