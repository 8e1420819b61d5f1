/**
 * Every metric is moved by real work: reconciles against the fake API and the fake bitcoind
 * fleet, through the same metering decorators and hooks that `main.ts` wires up.
 */
import type { Informer, KubernetesObject, ObjectCache } from '@kubernetes/client-node';
import pino from 'pino';
import { ApiError } from '../../../controller/kube/errors';
import { BitcoinNetworkController } from '../../../controller/runtime/controller';
import { serverError } from '../../../controller/testing/api-errors';
import { FakeKube } from '../../../controller/testing/kube';
import { FakeBitcoinRpc } from '../../../controller/testing/rpc';
import { ControllerMetrics, METRIC } from '../../../controller/runtime/health';
import { ResilientInformer } from '../../../controller/kube/informer';
import { LeaderElector } from '../../../controller/runtime/leader';
import {
  API_METHODS,
  meteredApi,
  MeteredRpc,
  rpcResult,
} from '../../../controller/runtime/metered';
import { ItemExponentialRateLimiter, WorkQueue } from '../../../controller/runtime/queue';
import {
  RpcAuthError,
  RpcConnectionError,
  RpcProtocolError,
  RpcResponseError,
  RpcTimeoutError,
} from '../../../controller/bitcoin/rpc-errors';
import { networkObject, NOW, NS } from '../fixtures';

const logger = pino({ level: 'silent' });

/** The value of one series, 0 when it does not exist (yet). */
async function value(
  metrics: ControllerMetrics,
  name: string,
  labels: Record<string, string> = {},
  suffix = '',
): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  const series = metric?.values.find(
    (v) =>
      (suffix === '' || (v as { metricName?: string }).metricName === `${name}${suffix}`) &&
      Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want),
  );
  return series?.value ?? 0;
}

function setup() {
  const kube = new FakeKube(() => NOW);
  const rpc = new FakeBitcoinRpc();
  const queue = new WorkQueue({ rateLimiter: new ItemExponentialRateLimiter(5, 300_000) });
  const metrics = new ControllerMetrics(queue);
  const api = meteredApi(kube, metrics);
  const controller = new BitcoinNetworkController({
    api,
    listers: kube,
    rpc: new MeteredRpc(rpc, metrics),
    logger,
    queue,
    now: () => NOW,
    randomBytes: (n) => Buffer.alloc(n, 7),
    onSync: (outcome, seconds) => metrics.observe(outcome, seconds),
    onRetry: () => metrics.retried(),
  });
  return { kube, rpc, queue, metrics, controller };
}

afterEach(() => jest.useRealTimers());

test('reconcile passes are counted and timed by outcome', async () => {
  const { kube, queue, metrics, controller } = setup();
  kube.seed('bitcoinnetworks', networkObject('net', { nodes: 1 }));
  await controller.processKey(`${NS}/net`);
  await controller.processKey(`${NS}/gone`);
  queue.shutDown();
  expect(await value(metrics, METRIC.syncs, { outcome: 'ok' })).toBe(1);
  expect(await value(metrics, METRIC.syncs, { outcome: 'skipped' })).toBe(1);
  expect(await value(metrics, METRIC.syncs, { outcome: 'error' })).toBe(0);
  expect(await value(metrics, METRIC.syncDuration, { outcome: 'ok' }, '_count')).toBe(1);
});

test('API requests are counted by verb, resource and code, failures included', async () => {
  const { kube, queue, metrics, controller } = setup();
  kube.seed('bitcoinnetworks', networkObject('net', { nodes: 1 }));
  // GIVEN the first StatefulSet create fails with a 500
  kube.failNext('create', 'statefulsets', serverError());
  // WHEN the key is processed twice (the failure, then the retry)
  await controller.processKey(`${NS}/net`);
  await controller.processKey(`${NS}/net`);
  queue.shutDown();
  // THEN each write is counted with its code
  expect(
    await value(metrics, METRIC.apiRequests, {
      verb: 'create',
      resource: 'statefulsets',
      code: '500',
    }),
  ).toBe(1);
  expect(
    await value(metrics, METRIC.apiRequests, {
      verb: 'create',
      resource: 'statefulsets',
      code: '201',
    }),
  ).toBe(1);
  expect(
    await value(metrics, METRIC.apiRequests, {
      verb: 'create',
      resource: 'networkpolicies',
      code: '201',
    }),
  ).toBe(1);
  expect(
    await value(metrics, METRIC.apiRequests, {
      verb: 'update',
      resource: 'bitcoinnetworks/status',
      code: '200',
    }),
  ).toBe(2);
  // AND a get that finds nothing is a 404
  expect(
    await value(metrics, METRIC.apiRequests, { verb: 'get', resource: 'secrets', code: '404' }),
  ).toBe(1);
  // AND the failed pass was an error retried with backoff
  expect(await value(metrics, METRIC.syncs, { outcome: 'degraded' })).toBe(1);
  expect(await value(metrics, METRIC.queueRetries)).toBe(1);
});

test('an API error without a response is counted as network_error', async () => {
  const kube = new FakeKube();
  const metrics = new ControllerMetrics(() => 0);
  kube.failNext('get', 'secrets', new Error('socket hang up'));
  await expect(meteredApi(kube, metrics).getSecret(NS, 'x')).rejects.toThrow('socket hang up');
  expect(
    await value(metrics, METRIC.apiRequests, {
      verb: 'get',
      resource: 'secrets',
      code: 'network_error',
    }),
  ).toBe(1);
});

test('every KubeApi and LeaseApi method of the fake is metered', () => {
  const kube = new FakeKube();
  for (const method of Object.keys(API_METHODS)) {
    expect(typeof (kube as unknown as Record<string, unknown>)[method]).toBe('function');
  }
});

test('RPC calls are counted and timed by method and result', async () => {
  const { kube, rpc, queue, metrics, controller } = setup();
  kube.seed('bitcoinnetworks', networkObject('net', { nodes: 2 }));
  await controller.processKey(`${NS}/net`);
  kube.runStatefulSets();
  // GIVEN the second node times out
  rpc.fail('10.0.1.2', new RpcTimeoutError('timed out'));
  await controller.processKey(`${NS}/net`);
  queue.shutDown();
  expect(
    await value(metrics, METRIC.rpcRequests, { method: 'getaddednodeinfo', result: 'ok' }),
  ).toBe(1);
  expect(
    await value(metrics, METRIC.rpcRequests, { method: 'getaddednodeinfo', result: 'timeout' }),
  ).toBe(1);
  expect(await value(metrics, METRIC.rpcRequests, { method: 'addnode', result: 'ok' })).toBe(1);
  expect(
    await value(metrics, METRIC.rpcDuration, { method: 'addnode', result: 'ok' }, '_count'),
  ).toBe(1);
});

test('RPC failures map to stable result labels', () => {
  expect(
    [
      new RpcTimeoutError('t'),
      new RpcConnectionError('c'),
      new RpcAuthError(401, 'a'),
      new RpcProtocolError('p'),
      new RpcResponseError(-1, 'm', 'addnode'),
      new ApiError(500, 'x'),
    ].map(rpcResult),
  ).toEqual(['timeout', 'connection_error', 'auth_error', 'protocol_error', 'rpc_error', 'error']);
});

test('queue depth and delayed keys are read at scrape time', async () => {
  const { queue, metrics } = setup();
  queue.add('a/1');
  queue.add('a/2');
  queue.addAfter('a/3', 60_000);
  expect(await value(metrics, METRIC.queueDepth)).toBe(2);
  expect(await value(metrics, METRIC.queueDelayed)).toBe(1);
  queue.shutDown();
  expect(await value(metrics, METRIC.queueDelayed)).toBe(0);
});

test('the leader gauge follows the Lease, and Lease calls are counted', async () => {
  jest.useFakeTimers({ now: NOW });
  const kube = new FakeKube();
  const metrics = new ControllerMetrics(() => 0);
  const elector = new LeaderElector({
    api: meteredApi(kube, metrics),
    namespace: 'bitcoin-controller',
    identity: 'a',
    logger,
    onStartedLeading: () => metrics.setLeader(true),
    onStoppedLeading: () => metrics.setLeader(false),
    random: () => 0,
  });
  expect(await value(metrics, METRIC.leader)).toBe(0);
  elector.start();
  await jest.advanceTimersByTimeAsync(0);
  expect(await value(metrics, METRIC.leader)).toBe(1);
  expect(
    await value(metrics, METRIC.apiRequests, { verb: 'create', resource: 'leases', code: '201' }),
  ).toBe(1);
  // WHEN renewals fail until the deadline THEN the gauge drops
  kube.failNext('get', 'leases', serverError(), 100);
  await jest.advanceTimersByTimeAsync(10_000);
  expect(await value(metrics, METRIC.leader)).toBe(0);
  expect(
    await value(metrics, METRIC.apiRequests, { verb: 'get', resource: 'leases', code: '500' }),
  ).toBeGreaterThanOrEqual(4);
});

test('informer restarts are counted by informer', async () => {
  jest.useFakeTimers();
  const metrics = new ControllerMetrics(() => 0);
  let starts = 0;
  const handlers: Record<string, Array<(e?: unknown) => void>> = { error: [] };
  const inner = {
    on: (verb: string, cb: (e?: unknown) => void) => (handlers[verb] ??= []).push(cb),
    off: () => undefined,
    start: async () => {
      if (starts++ === 0) handlers.error.forEach((h) => h(new Error('403')));
    },
    stop: async () => undefined,
    get: () => undefined,
    list: () => [],
  } as unknown as Informer<KubernetesObject> & ObjectCache<KubernetesObject>;
  const inf = new ResilientInformer(inner, {
    name: 'pods',
    logger,
    onEvent: () => undefined,
    initialBackoffMs: 100,
    onRestart: () => metrics.informerRestarted('pods'),
  });
  await inf.start();
  await jest.advanceTimersByTimeAsync(100);
  expect(inf.hasSynced()).toBe(true);
  expect(await value(metrics, METRIC.informerRestarts, { informer: 'pods' })).toBe(1);
});
