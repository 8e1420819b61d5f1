import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { AdminApi, adminApiOf, apiVersionOfPath } from '../../../../tools/testplane/lib/admin-api';
import { certificateUser, writeKubeconfig } from '../../../../tools/testplane/lib/kubeconfig';
import { createPki } from '../../../../tools/testplane/lib/pki';

interface Seen {
  method: string;
  url: string;
  contentType?: string;
  body: string;
  /** The client certificate's subject, as the server verified it. */
  user: string;
}

/** An HTTPS server that answers by URL and records what reached it, over which connections. */
function fakeApiserver(dir: string) {
  const pki = createPki(path.join(dir, 'pki'));
  const seen: Seen[] = [];
  let connections = 0;
  const answers: Record<string, { status: number; body: unknown }> = {
    '/api/v1/services': { status: 200, body: { items: [{ metadata: { name: 'web' } }] } },
    '/apis/apps/v1/deployments': {
      status: 200,
      body: { items: [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }] },
    },
  };
  const server = https.createServer(
    {
      ca: fs.readFileSync(pki.caCert),
      cert: fs.readFileSync(pki.serving.cert),
      key: fs.readFileSync(pki.serving.key),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const socket = req.socket as import('node:tls').TLSSocket;
        seen.push({
          method: req.method!,
          url: req.url!,
          contentType: req.headers['content-type'],
          body: Buffer.concat(chunks).toString(),
          user: String(socket.getPeerCertificate().subject.CN),
        });
        const answer = answers[req.url!] ?? { status: 404, body: { reason: 'NotFound' } };
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      });
    },
  );
  server.on('secureConnection', () => connections++);
  return {
    seen,
    connections: () => connections,
    async start(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const kubeconfig = path.join(dir, 'kubeconfig');
      const admin = pki.client('admin', { user: 'kubernetes-admin', groups: ['system:masters'] });
      writeKubeconfig(kubeconfig, `https://127.0.0.1:${port}`, pki.caCert, certificateUser(admin));
      return kubeconfig;
    },
    stop: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('AdminApi', () => {
  let dir: string;
  let server: ReturnType<typeof fakeApiserver>;
  let kubeconfig: string;
  let api: AdminApi;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-api-'));
    server = fakeApiserver(dir);
    kubeconfig = await server.start();
    api = new AdminApi(kubeconfig);
  });
  afterAll(async () => {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('lists several collections into one list, each item with its apiVersion and kind, as the admin', async () => {
    const items = await api.listAll<{
      apiVersion: string;
      kind: string;
      metadata: { name: string };
    }>([
      { kind: 'Service', path: '/api/v1/services' },
      { kind: 'Deployment', path: '/apis/apps/v1/deployments' },
    ]);
    expect(items.map((i) => `${i.apiVersion} ${i.kind} ${i.metadata.name}`)).toEqual([
      'v1 Service web',
      'apps/v1 Deployment a',
      'apps/v1 Deployment b',
    ]);
    expect(new Set(server.seen.map((s) => s.user))).toEqual(new Set(['kubernetes-admin']));
  });

  test('a GET that is not 200 fails, naming the path and the status', async () => {
    await expect(api.get('/api/v1/nodes')).rejects.toThrow(/GET \/api\/v1\/nodes: 404/);
  });

  test('a merge patch says so in its content type and resolves with the status', async () => {
    const status = await api.mergePatch('/api/v1/namespaces/a/services/web', { spec: {} });
    expect(status).toBe(404);
    expect(server.seen.at(-1)).toMatchObject({
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: '{"spec":{}}',
    });
  });

  test('requests one after another reuse one connection', async () => {
    const before = server.connections();
    for (let i = 0; i < 5; i++) await api.get('/api/v1/services');
    expect(server.connections() - before).toBeLessThanOrEqual(1);
  });

  test('a burst of requests at once shares a few connections, not one each', async () => {
    const fresh = new AdminApi(kubeconfig);
    const before = server.connections();
    const lists = await Promise.all(
      Array.from({ length: 20 }, () => fresh.get<{ items: unknown[] }>('/api/v1/services')),
    );
    expect(lists.map((l) => l.items.length)).toEqual(Array(20).fill(1));
    expect(server.connections() - before).toBeLessThanOrEqual(4);
  });

  test('adminApiOf gives one client per kubeconfig, so callers share its connections', () => {
    expect(adminApiOf(kubeconfig)).toBe(adminApiOf(kubeconfig));
    expect(adminApiOf(kubeconfig)).not.toBe(api);
  });

  test('a kubeconfig without a client certificate is refused, naming the file', () => {
    const tokenConfig = path.join(dir, 'token-kubeconfig');
    writeKubeconfig(tokenConfig, 'https://127.0.0.1:1', path.join(dir, 'pki', 'ca.crt'), {
      token: 'abc',
    });
    expect(() => new AdminApi(tokenConfig)).toThrow(
      `${tokenConfig}: the admin API needs a client certificate and key`,
    );
  });
});

describe('the apiVersion of a collection path', () => {
  test.each([
    ['/api/v1/persistentvolumes', 'v1'],
    ['/api/v1/namespaces/web/services', 'v1'],
    ['/apis/apps/v1/statefulsets', 'apps/v1'],
    [
      '/apis/bitcoin.eksplatform.dev/v1alpha1/namespaces/chain/bitcoinnetworks',
      'bitcoin.eksplatform.dev/v1alpha1',
    ],
  ])('%s is under %s', (path, apiVersion) => {
    expect(apiVersionOfPath(path)).toBe(apiVersion);
  });
});
