/**
 * The client-node adapter and the informer wrapper against a small fake API server on 127.0.0.1:
 * the paths, verbs and content types the controller sends, error mapping, and restart after a
 * failed watch.
 */
import { makeInformer, V1Service } from '@kubernetes/client-node';
import pino from 'pino';
import { BitcoinNetwork } from '../../../controller/api';
import { ApiClients } from '../../../controller/kube/api-clients';
import { clientNodeKubeApi } from '../../../controller/kube/client';
import type { KubeApi } from '../../../controller/kube/ports';
import { ResilientInformer } from '../../../controller/kube/informer';
import { SharedAgents } from '../../../controller/kube/keep-alive';
import {
  ApiError,
  isAlreadyExists,
  isConflict,
  retryAfterMs,
} from '../../../controller/kube/errors';
import { FakeApiServer, json, status } from './fake-apiserver';

const logger = pino({ level: 'silent' });

describe('clientNodeKubeApi', () => {
  let server: FakeApiServer;
  let api: KubeApi;

  beforeEach(async () => {
    server = new FakeApiServer();
    api = clientNodeKubeApi(new ApiClients(await server.start(), new SharedAgents()));
  });

  afterEach(() => server.stop());

  test('creates a Secret with POST to the namespaced collection', async () => {
    server.routes = [(r, res) => r.method === 'POST' && json(res, 201, r.body)];
    await api.createSecret('ns1', { metadata: { name: 'x-rpc' }, data: { a: 'Yg==' } });
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v1/namespaces/ns1/secrets',
    ]);
    expect(server.requests[0].body).toMatchObject({ metadata: { name: 'x-rpc' } });
  });

  test('a GET that finds nothing returns undefined', async () => {
    await expect(api.getService('ns1', 'x-svc')).resolves.toBeUndefined();
    expect(server.requests[0].path).toBe('/api/v1/namespaces/ns1/services/x-svc');
  });

  test('patches the StatefulSet with a JSON merge patch', async () => {
    server.routes = [
      (r, res) =>
        r.method === 'PATCH' &&
        json(res, 200, { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'x-sts' } }),
    ];
    await api.patchStatefulSet('ns1', 'x-sts', { spec: { replicas: 4 } });
    expect(server.requests[0]).toMatchObject({
      method: 'PATCH',
      path: '/apis/apps/v1/namespaces/ns1/statefulsets/x-sts',
      contentType: 'application/merge-patch+json',
      body: { spec: { replicas: 4 } },
    });
  });

  test('patches the Service with a JSON merge patch', async () => {
    server.routes = [(r, res) => r.method === 'PATCH' && json(res, 200, { metadata: {} })];
    await api.patchService('ns1', 'x-svc', { spec: { publishNotReadyAddresses: true } });
    expect(server.requests[0]).toMatchObject({
      path: '/api/v1/namespaces/ns1/services/x-svc',
      contentType: 'application/merge-patch+json',
    });
  });

  test('writes status with PUT to the status subresource and maps 409 Conflict', async () => {
    server.routes = [
      (r, res) => r.method === 'PUT' && json(res, 409, status(409, 'Conflict', 'modified')),
    ];
    const network: BitcoinNetwork = {
      apiVersion: 'bitcoin.eksplatform.dev/v1alpha1',
      kind: 'BitcoinNetwork',
      metadata: { name: 'x', namespace: 'ns1', resourceVersion: '7' },
      spec: { nodes: 1 },
      status: { readyNodes: 1 },
    };
    const err = await api.replaceNetworkStatus(network).catch((e: unknown) => e);
    expect(server.requests[0]).toMatchObject({
      method: 'PUT',
      path: '/apis/bitcoin.eksplatform.dev/v1alpha1/namespaces/ns1/bitcoinnetworks/x/status',
      body: { metadata: { resourceVersion: '7' }, status: { readyNodes: 1 } },
    });
    expect(err).toBeInstanceOf(ApiError);
    expect(isConflict(err)).toBe(true);
    expect(isAlreadyExists(err)).toBe(false);
  });

  test('maps 409 AlreadyExists apart from Conflict', async () => {
    server.routes = [
      (_r, res) => json(res, 409, status(409, 'AlreadyExists', 'services "x-svc" already exists')),
    ];
    const err = await api.createService('ns1', { metadata: { name: 'x-svc' } }).catch((e) => e);
    expect(isAlreadyExists(err)).toBe(true);
    expect(isConflict(err)).toBe(false);
    expect((err as Error).message).toBe('HTTP 409 AlreadyExists: services "x-svc" already exists');
  });

  test('keeps the Retry-After of a 429, from the header or else from the Status details', async () => {
    server.routes = [
      (r, res) => {
        const body = {
          ...status(429, 'TooManyRequests', 'slow down'),
          details: { retryAfterSeconds: 3 },
        };
        res.writeHead(429, {
          'content-type': 'application/json',
          ...(r.path.includes('a-svc') ? { 'retry-after': '7' } : {}),
        });
        res.end(JSON.stringify(body));
        return true;
      },
    ];
    const fromHeader = await api.getService('ns1', 'a-svc').catch((e) => e);
    expect(fromHeader).toBeInstanceOf(ApiError);
    expect((fromHeader as ApiError).statusCode).toBe(429);
    expect(retryAfterMs(fromHeader)).toBe(7000);
    const fromBody = await api.getService('ns1', 'b-svc').catch((e) => e);
    expect(retryAfterMs(fromBody)).toBe(3000);
  });

  test('reads a network through the custom objects API', async () => {
    server.routes = [
      (r, res) =>
        r.path === '/apis/bitcoin.eksplatform.dev/v1alpha1/namespaces/ns1/bitcoinnetworks/x' &&
        json(res, 200, { metadata: { name: 'x' }, spec: { nodes: 2 } }),
    ];
    await expect(api.getNetwork('ns1', 'x')).resolves.toMatchObject({ spec: { nodes: 2 } });
  });

  test('creates core/v1 Events', async () => {
    server.routes = [(r, res) => r.method === 'POST' && json(res, 201, r.body)];
    await api.createEvent('ns1', {
      metadata: { name: 'x.1' },
      involvedObject: { kind: 'BitcoinNetwork', name: 'x' },
      reason: 'Created',
      message: 'm',
      type: 'Normal',
    });
    expect(server.requests[0].path).toBe('/api/v1/namespaces/ns1/events');
  });
});

describe('ResilientInformer over client-node', () => {
  test('lists, restarts after a failed watch, and delivers watch events', async () => {
    // GIVEN an API server whose first watch fails with 500 and whose second delivers an event
    const server = new FakeApiServer();
    const kc = await server.start();
    const svc = (name: string, rv: string): V1Service => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: 'ns1', resourceVersion: rv },
    });
    let watches = 0;
    server.routes = [
      (r, res) => {
        if (r.path !== '/api/v1/services') return false;
        if (r.query.get('watch') !== 'true') {
          return json(res, 200, {
            kind: 'ServiceList',
            metadata: { resourceVersion: '10' },
            items: [svc('a', '10')],
          });
        }
        watches++;
        if (watches === 1) return json(res, 500, status(500, 'InternalError', 'boom'));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(`${JSON.stringify({ type: 'ADDED', object: svc('b', '11') })}\n`);
        return true;
      },
    ];
    const seen: string[] = [];
    let informer: ResilientInformer<V1Service> | undefined;
    const gotB = new Promise<void>((resolve) => {
      const inf = new ResilientInformer(
        makeInformer<V1Service>(
          kc,
          '/api/v1/services',
          async () => ({
            metadata: { resourceVersion: '10' },
            items: [svc('a', '10')],
          }),
          'app.kubernetes.io/managed-by=bitcoin-controller',
        ),
        {
          name: 'services',
          logger,
          initialBackoffMs: 5,
          onEvent: (verb, obj) => {
            seen.push(`${verb} ${obj.metadata?.name}`);
            if (obj.metadata?.name === 'b') resolve();
          },
        },
      );
      informer = inf;
      void inf.start();
    });
    try {
      // WHEN the informer runs (the guard only makes a broken informer fail instead of hang)
      let guard: NodeJS.Timeout | undefined;
      await Promise.race([
        gotB,
        new Promise((_, reject) => {
          guard = setTimeout(() => reject(new Error('no watch event for "b"')), 20_000);
        }),
      ]).finally(() => clearTimeout(guard));
      // THEN it restarted once, resumed from the list's resourceVersion, and has both objects
      expect(informer!.restartCount()).toBe(1);
      expect(seen).toEqual(['add a', 'add b']);
      expect(informer!.get('b', 'ns1')?.metadata?.name).toBe('b');
      expect(informer!.hasSynced()).toBe(true);
      const watchQueries = server.requests.filter((r) => r.query.get('watch') === 'true');
      expect(watchQueries[1].query.get('resourceVersion')).toBe('10');
      expect(watchQueries[1].query.get('labelSelector')).toBe(
        'app.kubernetes.io/managed-by=bitcoin-controller',
      );
    } finally {
      await informer?.stop();
      await server.stop();
    }
  });
});
