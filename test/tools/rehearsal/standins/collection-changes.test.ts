import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { collectionChanges } from '../../../../tools/rehearsal/standins/collection-changes';
import { AdminApi } from '../../../../tools/testplane/lib/admin-api';
import { eventually } from '../../../../tools/testplane/lib/eventually';
import { certificateUser, writeKubeconfig } from '../../../../tools/testplane/lib/kubeconfig';
import { createPki } from '../../../../tools/testplane/lib/pki';

/** An HTTPS server that holds each watch open until told to send an event or end them all. */
async function fakeWatchServer(dir: string) {
  const pki = createPki(path.join(dir, 'pki'));
  const open = new Set<import('node:http').ServerResponse>();
  const watched: string[] = [];
  const server = https.createServer(
    {
      ca: fs.readFileSync(pki.caCert),
      cert: fs.readFileSync(pki.serving.cert),
      key: fs.readFileSync(pki.serving.key),
      requestCert: true,
    },
    (req, res) => {
      watched.push(req.url!);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      open.add(res);
      res.on('close', () => open.delete(res));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kubeconfig = path.join(dir, 'kubeconfig');
  const admin = pki.client('admin', { user: 'kubernetes-admin', groups: ['system:masters'] });
  const { port } = server.address() as AddressInfo;
  writeKubeconfig(kubeconfig, `https://127.0.0.1:${port}`, pki.caCert, certificateUser(admin));
  return {
    kubeconfig,
    watched,
    openWatches: () => open.size,
    send: () => {
      for (const res of open) res.write(`${JSON.stringify({ type: 'ADDED', object: {} })}\n`);
    },
    endAll: () => {
      for (const res of open) res.end();
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('collectionChanges', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof fakeWatchServer>>;
  let stop: (() => void) | undefined;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collection-changes-'));
    server = await fakeWatchServer(dir);
  });
  afterEach(async () => {
    stop?.();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const collections = [
    { kind: 'Service', path: '/api/v1/services' },
    { kind: 'Ingress', path: '/apis/networking.k8s.io/v1/ingresses' },
  ];

  test('watches each collection and calls back on each event', async () => {
    let changes = 0;
    stop = collectionChanges(new AdminApi(server.kubeconfig), collections)(() => changes++);
    await eventually(async () => expect(server.openWatches()).toBe(2), 5_000);
    expect(server.watched.sort()).toEqual([
      '/api/v1/services?watch=true',
      '/apis/networking.k8s.io/v1/ingresses?watch=true',
    ]);
    server.send();
    await eventually(async () => expect(changes).toBe(2), 5_000);
  });

  test('a watch that ends is started again; once stopped, none is', async () => {
    stop = collectionChanges(new AdminApi(server.kubeconfig), collections)(() => {});
    await eventually(async () => expect(server.openWatches()).toBe(2), 5_000);
    server.endAll();
    await eventually(async () => expect(server.watched).toHaveLength(4), 5_000);
    await eventually(async () => expect(server.openWatches()).toBe(2), 5_000);
    stop();
    await eventually(async () => expect(server.openWatches()).toBe(0), 5_000);
    server.endAll();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(server.watched).toHaveLength(4);
  });
});
