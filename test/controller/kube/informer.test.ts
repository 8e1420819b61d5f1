import type { Informer, KubernetesObject, ObjectCache } from '@kubernetes/client-node';
import pino from 'pino';
import { networkLabels } from '../../../controller/api';
import { desiredStatefulSet } from '../../../controller/reconcile/desired/stateful-set';
import { podFor } from '../../../controller/testing/objects';
import { ResilientInformer } from '../../../controller/kube/informer';
import { ownerKeyOf } from '../../../controller/runtime/keys';
import { projectPod, projectStatefulSet } from '../../../controller/kube/cached';
import { nodeStatuses } from '../../../controller/reconcile/status';
import { fixture, networkObject, NS } from '../fixtures';

type Cb = (arg?: unknown) => void;

/** A scripted stand-in for client-node's ListWatch: each start() runs the next script step. */
class ScriptedInformer implements Informer<KubernetesObject>, ObjectCache<KubernetesObject> {
  readonly handlers: Record<string, Cb[]> = {
    add: [],
    update: [],
    delete: [],
    error: [],
    connect: [],
  };
  starts = 0;
  stops = 0;
  constructor(readonly script: Array<'ok' | 'fail'>) {}
  on(verb: string, cb: (...args: never[]) => void): void {
    this.handlers[verb].push(cb as Cb);
  }
  off(): void {}
  async start(): Promise<void> {
    const step = this.script[this.starts++] ?? 'ok';
    if (step === 'fail') this.emit('error', new Error('watch failed: 403 Forbidden'));
  }
  async stop(): Promise<void> {
    this.stops++;
  }
  emit(verb: string, arg?: unknown): void {
    this.handlers[verb].forEach((h) => h(arg));
  }
  get(): KubernetesObject | undefined {
    return undefined;
  }
  list(): ReadonlyArray<KubernetesObject> {
    return [];
  }
}

const logger = pino({ level: 'silent' });

describe('ResilientInformer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('health: stuck when failing beyond stuckAfterMs, healthy again once a start succeeds', async () => {
    // GIVEN an informer that fails at every start for a long time
    const inner = new ScriptedInformer(Array(20).fill('fail'));
    const inf = new ResilientInformer(inner, {
      name: 'pods',
      logger,
      onEvent: () => {},
      initialBackoffMs: 1_000,
      maxBackoffMs: 4_000,
      stuckAfterMs: 10_000,
    });
    await inf.start();
    // THEN it is still healthy within its backoff budget
    await jest.advanceTimersByTimeAsync(10_000);
    expect(inf.health()).toEqual({ ok: true });
    // AND stuck after it
    await jest.advanceTimersByTimeAsync(1_000);
    expect(inf.health()).toEqual({ ok: false, reason: 'pods: failing for 11 s' });
    // WHEN a start finally succeeds THEN it is healthy again
    inner.script.fill('ok');
    await jest.advanceTimersByTimeAsync(4_000);
    expect(inf.hasSynced()).toBe(true);
    expect(inf.health()).toEqual({ ok: true });
  });

  test('health: stuck when the watch has not been re-established for maxWatchAgeMs', async () => {
    const inner = new ScriptedInformer(['ok']);
    const inf = new ResilientInformer(inner, {
      name: 'secrets',
      logger,
      onEvent: () => {},
      maxWatchAgeMs: 60_000,
    });
    await inf.start();
    await jest.advanceTimersByTimeAsync(50_000);
    // client-node re-watches on its own and says so with "connect"
    inner.emit('connect');
    await jest.advanceTimersByTimeAsync(50_000);
    expect(inf.health()).toEqual({ ok: true });
    await jest.advanceTimersByTimeAsync(10_001);
    expect(inf.health()).toEqual({
      ok: false,
      reason: 'secrets: watch not re-established for 60 s',
    });
    // AND a stopped informer is not reported
    await inf.stop();
    expect(inf.health()).toEqual({ ok: true });
  });

  test('restarts after errors with exponential backoff and reports sync once a start succeeds', async () => {
    // GIVEN an informer that fails twice, then works
    const inner = new ScriptedInformer(['fail', 'fail', 'ok']);
    const inf = new ResilientInformer(inner, {
      name: 'pods',
      logger,
      onEvent: () => {},
      initialBackoffMs: 100,
    });
    // WHEN it starts
    await inf.start();
    // THEN it waits 100 ms, then 200 ms, before the third start succeeds
    expect(inner.starts).toBe(1);
    expect(inf.hasSynced()).toBe(false);
    await jest.advanceTimersByTimeAsync(99);
    expect(inner.starts).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(inner.starts).toBe(2);
    await jest.advanceTimersByTimeAsync(199);
    expect(inner.starts).toBe(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(inner.starts).toBe(3);
    expect(inf.hasSynced()).toBe(true);
    expect(inf.restartCount()).toBe(2);
    await expect(inf.whenSynced()).resolves.toBeUndefined();
  });

  test('a later watch error restarts it again, with the backoff reset by the success', async () => {
    const inner = new ScriptedInformer(['fail', 'ok', 'ok']);
    const inf = new ResilientInformer(inner, {
      name: 'pods',
      logger,
      onEvent: () => {},
      initialBackoffMs: 100,
    });
    await inf.start();
    await jest.advanceTimersByTimeAsync(100);
    expect(inner.starts).toBe(2);
    inner.emit('error', new Error('connection reset'));
    await jest.advanceTimersByTimeAsync(100);
    expect(inner.starts).toBe(3);
  });

  test('the backoff is capped', async () => {
    const inner = new ScriptedInformer(Array(10).fill('fail'));
    const inf = new ResilientInformer(inner, {
      name: 'pods',
      logger,
      onEvent: () => {},
      initialBackoffMs: 100,
      maxBackoffMs: 400,
    });
    await inf.start();
    await jest.advanceTimersByTimeAsync(100 + 200 + 400);
    expect(inner.starts).toBe(4);
    await jest.advanceTimersByTimeAsync(399);
    expect(inner.starts).toBe(4);
    await jest.advanceTimersByTimeAsync(1);
    expect(inner.starts).toBe(5);
  });

  test('no restart after stop', async () => {
    const inner = new ScriptedInformer(['fail']);
    const inf = new ResilientInformer(inner, { name: 'pods', logger, onEvent: () => {} });
    await inf.start();
    await inf.stop();
    await jest.advanceTimersByTimeAsync(120_000);
    expect(inner.starts).toBe(1);
    expect(inner.stops).toBe(1);
  });

  test('add, update and delete are passed on with their verb', async () => {
    const inner = new ScriptedInformer([]);
    const seen: string[] = [];
    new ResilientInformer(inner, {
      name: 'pods',
      logger,
      onEvent: (verb, obj) => seen.push(`${verb} ${obj.metadata?.name}`),
    });
    inner.emit('add', { metadata: { name: 'a' } });
    inner.emit('update', { metadata: { name: 'a' } });
    inner.emit('delete', { metadata: { name: 'a' } });
    expect(seen).toEqual(['add a', 'update a', 'delete a']);
  });

  test.each(['add', 'update'])(
    'an object from %s is reduced in place before anyone sees it',
    (verb) => {
      const inner = new ScriptedInformer([]);
      const seen: KubernetesObject[] = [];
      new ResilientInformer(inner, {
        name: 'pods',
        logger,
        onEvent: (_verb, obj) => seen.push(obj),
        transform: projectPod,
      });
      const pod = podFor('net', NS, 0, { ip: '10.0.0.9', nodeName: 'node-b' });
      pod.metadata!.managedFields = [{ manager: 'kube-scheduler', operation: 'Update' }];
      // The cache holds this very object: the reduction must be made on it, not on a copy.
      inner.emit(verb, pod);
      expect(seen[0]).toBe(pod);
      expect(pod).toEqual({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'net-sts-0', namespace: NS, labels: networkLabels('net') },
        spec: { nodeName: 'node-b' },
        status: { podIP: '10.0.0.9', conditions: [{ type: 'Ready', status: 'True' }] },
      });
    },
  );
});

describe('cache projections', () => {
  const network = networkObject('net', { nodes: 2 });

  test('a reduced pod reports the same node status as the full one', () => {
    const full = [podFor('net', NS, 1, { ready: false }), podFor('net', NS, 0)];
    const reduced = full.map((p) => {
      const copy = structuredClone(p);
      projectPod(copy);
      return copy;
    });
    expect(reduced[0].spec).toEqual({ nodeName: 'node-a' });
    expect(nodeStatuses(network, reduced)).toEqual(nodeStatuses(network, full));
  });

  test('a reduced StatefulSet keeps replicas and claims but not the pod template', () => {
    const sts = desiredStatefulSet(networkObject('net', { nodes: 3, storage: { size: '2Gi' } }), {
      secretName: 'net-rpc',
      rpcAuthSecretName: 'net-rpc',
      hash: 'h',
    });
    const { template, ...kept } = structuredClone(sts.spec!);
    projectStatefulSet(sts);
    expect(sts.spec).toEqual(kept);
    expect(sts.spec?.replicas).toBe(3);
    expect(sts.spec?.volumeClaimTemplates).toHaveLength(1);
    expect(sts.metadata?.annotations).toBeDefined();
  });
});

describe('mapping child events to the owning network', () => {
  const owned = (kind: string, apiVersion: string, name: string, labels = {}) => ({
    metadata: {
      namespace: NS,
      labels,
      ownerReferences: [{ apiVersion, kind, name, uid: 'u', controller: true }],
    },
  });

  test('a child controlled by a BitcoinNetwork maps to its key', () => {
    const svc = owned('BitcoinNetwork', 'bitcoin.eksplatform.dev/v1alpha1', 'net');
    expect(ownerKeyOf(svc, () => undefined)).toBe(`${NS}/net`);
  });

  test('a pod maps through its StatefulSet to the network', () => {
    const sts = owned('BitcoinNetwork', 'bitcoin.eksplatform.dev/v1alpha1', 'net');
    const pod = owned('StatefulSet', 'apps/v1', 'net-sts');
    expect(ownerKeyOf(pod, (_ns, name) => (name === 'net-sts' ? sts : undefined))).toBe(
      `${NS}/net`,
    );
  });

  test('a pod whose StatefulSet is not cached falls back to its network label', () => {
    const pod = owned('StatefulSet', 'apps/v1', 'net-sts', networkLabels('net'));
    expect(ownerKeyOf(pod, () => undefined)).toBe(`${NS}/net`);
  });

  test('objects with another controller, or none, map to nothing', () => {
    expect(ownerKeyOf(owned('Deployment', 'apps/v1', 'web'), () => undefined)).toBeUndefined();
    expect(
      ownerKeyOf(owned('BitcoinNetwork', 'other.example.com/v1', 'net'), () => undefined),
    ).toBeUndefined();
    expect(ownerKeyOf({ metadata: { namespace: NS } }, () => undefined)).toBeUndefined();
  });

  test('the controller queues the owner of a child event, once however many events arrive', async () => {
    const f = fixture();
    f.addNetwork('net', { nodes: 1 });
    await f.controller.sync(`${NS}/net`);
    f.kube.runStatefulSets();
    const pod = f.kube.object('pods', NS, 'net-sts-0')!;
    f.controller.enqueueOwner(pod);
    f.controller.enqueueOwner(f.kube.object('services', NS, 'net-svc')!);
    f.controller.enqueueNetwork(f.network('net'));
    expect(f.queue.len()).toBe(1);
    await expect(f.queue.get()).resolves.toBe(`${NS}/net`);
  });
});
