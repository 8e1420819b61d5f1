/**
 * The controller's API calls reuse keep-alive TLS connections (client-node alone opens one per
 * call), follow a rotated CA file, and close connections left idle. Against an HTTPS server on
 * 127.0.0.1 that counts the TLS connections it accepts.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiClients } from '../../../controller/kube/api-clients';
import { clientNodeKubeApi } from '../../../controller/kube/client';
import { SharedAgents } from '../../../controller/kube/keep-alive';
import { createPki } from '../../../tools/testplane/lib/pki';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keep-alive-'));
const pki = createPki(dir);
const caFile = path.join(dir, 'client-ca.crt');

let server: https.Server;
let connections: number;
let authorizations: Array<string | undefined>;
/** The server's open TLS connections; a new set per server. */
let open: Set<unknown>;
let kc: KubeConfig;

beforeEach(async () => {
  connections = 0;
  authorizations = [];
  const live = new Set<unknown>();
  open = live;
  fs.copyFileSync(pki.caCert, caFile);
  server = https.createServer(
    { cert: fs.readFileSync(pki.serving.cert), key: fs.readFileSync(pki.serving.key) },
    (req, res) => {
      authorizations.push(req.headers.authorization);
      const name = req.url?.split('/').pop();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name } }));
    },
  );
  // Longer than any wait here: a connection that closes was closed by the client.
  server.keepAliveTimeout = 60_000;
  server.on('secureConnection', (socket) => {
    connections++;
    live.add(socket);
    socket.on('close', () => live.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'c',
        server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
        caFile,
      },
    ],
    users: [{ name: 'u', token: 'test-token' }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 80 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!check()) throw new Error(`${what}: not reached`);
}

describe('SharedAgents', () => {
  test('ten calls in a row use one TLS connection', async () => {
    const agents = new SharedAgents();
    const api = clientNodeKubeApi(new ApiClients(kc, agents));
    for (let i = 0; i < 10; i++) {
      expect((await api.getSecret('ns1', `s${i}`))?.metadata?.name).toBe(`s${i}`);
    }
    expect(connections).toBe(1);
    // client-node's authentication still applies to every call.
    expect(authorizations).toEqual(Array(10).fill('Bearer test-token'));
    agents.destroy();
  });

  test('a rewritten CA file gets a new connection', async () => {
    const agents = new SharedAgents();
    const api = clientNodeKubeApi(new ApiClients(kc, agents));
    await api.getSecret('ns1', 'before');
    // The same CA with a trailing newline: other bytes, so other TLS settings.
    fs.appendFileSync(caFile, '\n');
    expect((await api.getSecret('ns1', 'after'))?.metadata?.name).toBe('after');
    expect(connections).toBe(2);
    agents.destroy();
  });

  test('an idle connection is closed by the client', async () => {
    const agents = new SharedAgents(100);
    await clientNodeKubeApi(new ApiClients(kc, agents)).getSecret('ns1', 'x');
    expect(connections).toBe(1);
    await until('the idle connection closed', () => open.size === 0);
  });

  test('plain HTTP and proxy agents are left as client-node made them', () => {
    const agents = new SharedAgents();
    class ProxyAgent extends https.Agent {}
    const plain = new http.Agent();
    const proxy = new ProxyAgent();
    expect(agents.agentFor(plain)).toBe(plain);
    expect(agents.agentFor(proxy)).toBe(proxy);
    const tls = agents.agentFor(new https.Agent({ ca: 'x' }));
    expect(tls).toBeInstanceOf(https.Agent);
    expect(agents.agentFor(new https.Agent({ ca: 'x' }))).toBe(tls);
    expect(agents.agentFor(new https.Agent({ ca: 'y' }))).not.toBe(tls);
  });
});
