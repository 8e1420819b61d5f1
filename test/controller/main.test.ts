/**
 * The controller as a separate process (`tsx controller/main.ts --kubeconfig ...`) against a fake
 * API server on 127.0.0.1: it lists and watches, creates the children of a listed network, writes
 * its status, and exits 0 on SIGTERM.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeApiServer, json, Request } from './kube/fake-apiserver';

const ROOT = path.resolve(__dirname, '../..');

function list(kind: string, items: unknown[] = []) {
  return { kind, apiVersion: 'v1', metadata: { resourceVersion: '100' }, items };
}

/** Rejects if `p` has not settled after `ms`, so a broken process fails the test instead of hanging it. */
function guard<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`gave up waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

describe('controller process', () => {
  let server: FakeApiServer;
  let child: ChildProcess | undefined;
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btc-ctl-'));
  });

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    }
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('reconciles a network from a kubeconfig and drains on SIGTERM', async () => {
    // GIVEN an API server with one BitcoinNetwork and nothing else
    server = new FakeApiServer();
    await server.start();
    const network = {
      apiVersion: 'bitcoin.eksplatform.dev/v1alpha1',
      kind: 'BitcoinNetwork',
      metadata: {
        name: 'demo',
        namespace: 'default',
        uid: 'uid-demo',
        generation: 1,
        resourceVersion: '5',
      },
      spec: { nodes: 2 },
    };
    server.routes = [
      (r, res) => {
        if (r.method !== 'GET') return false;
        if (r.query.get('watch') === 'true') {
          // Hold the watch open without events.
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('');
          return true;
        }
        if (r.path === '/apis/bitcoin.eksplatform.dev/v1alpha1/bitcoinnetworks') {
          return json(res, 200, list('BitcoinNetworkList', [network]));
        }
        if (/^\/(api\/v1|apis\/apps\/v1)\/(pods|services|secrets|statefulsets)$/.test(r.path)) {
          return json(res, 200, list('List'));
        }
        if (
          r.path === '/apis/networking.k8s.io/v1/networkpolicies' ||
          r.path === '/apis/policy/v1/poddisruptionbudgets'
        ) {
          return json(res, 200, list('List'));
        }
        return false;
      },
      (r, res) =>
        r.method === 'POST' &&
        json(res, 201, {
          ...(r.body as object),
          metadata: {
            ...(r.body as { metadata: object }).metadata,
            uid: `uid-${r.path}`,
            resourceVersion: '200',
          },
        }),
      (r, res) => r.method === 'PUT' && json(res, 200, r.body),
    ];
    const kubeconfig = path.join(dir, 'config');
    fs.writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          { name: 'fake', cluster: { server: server.url, 'insecure-skip-tls-verify': true } },
        ],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [{ name: 'c', context: { cluster: 'fake', user: 'u' } }],
        'current-context': 'c',
      }),
    );
    // WHEN the controller runs against it
    const stdout: string[] = [];
    const stderr: string[] = [];
    child = spawn(
      process.execPath,
      [
        // tsx as a loader in this one process (its CLI would fork a second one)
        '--import',
        'tsx',
        path.join(ROOT, 'controller/main.ts'),
        '--kubeconfig',
        kubeconfig,
        '--health-port',
        '0',
        '--workers',
        '2',
      ],
      {
        cwd: ROOT,
        env: { ...process.env, KUBERNETES_SERVICE_HOST: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.on('data', (d: Buffer) => stdout.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child!.on('exit', (code) => resolve(code)),
    );
    const is = (method: string, suffix: string) => (r: Request) =>
      r.method === method && r.path.endsWith(suffix);

    // THEN it creates the children and writes the status
    await guard(
      server.waitFor(is('PUT', '/namespaces/default/bitcoinnetworks/demo/status')),
      60_000,
      `the status write (stderr: ${stderr.join('')})`,
    );
    const writes = server.requests
      .filter((r) => r.method !== 'GET')
      .map((r) => `${r.method} ${r.path}`);
    expect(writes).toEqual(
      expect.arrayContaining([
        'POST /api/v1/namespaces/default/secrets',
        'POST /api/v1/namespaces/default/services',
        'POST /apis/apps/v1/namespaces/default/statefulsets',
        'POST /apis/networking.k8s.io/v1/namespaces/default/networkpolicies',
        'POST /apis/policy/v1/namespaces/default/poddisruptionbudgets',
        'POST /api/v1/namespaces/default/events',
        'PUT /apis/bitcoin.eksplatform.dev/v1alpha1/namespaces/default/bitcoinnetworks/demo/status',
      ]),
    );
    const sts = server.requests.find(is('POST', '/statefulsets'))?.body as {
      spec: { replicas: number };
    };
    expect(sts.spec.replicas).toBe(2);
    // the policy's peers reach the wire as `from` (client-node's model calls them `_from`; a
    // rule without them would admit everyone)
    const policy = server.requests.find(is('POST', '/networkpolicies'))?.body as {
      spec: { ingress: Array<{ from?: unknown[]; _from?: unknown }> };
    };
    expect(policy.spec.ingress.map((rule) => [rule.from?.length, rule._from])).toEqual([
      [1, undefined],
      [1, undefined],
    ]);
    // every informer watched with the managed-by selector, the networks without one
    const watched = server.requests
      .filter((r) => r.query.get('watch') === 'true')
      .map((r) => `${r.path} ${r.query.get('labelSelector') ?? '-'}`)
      .sort();
    expect(watched).toEqual([
      '/api/v1/pods app.kubernetes.io/managed-by=bitcoin-controller',
      '/api/v1/secrets app.kubernetes.io/managed-by=bitcoin-controller',
      '/api/v1/services app.kubernetes.io/managed-by=bitcoin-controller',
      '/apis/apps/v1/statefulsets app.kubernetes.io/managed-by=bitcoin-controller',
      '/apis/bitcoin.eksplatform.dev/v1alpha1/bitcoinnetworks -',
      '/apis/networking.k8s.io/v1/networkpolicies app.kubernetes.io/managed-by=bitcoin-controller',
      '/apis/policy/v1/poddisruptionbudgets app.kubernetes.io/managed-by=bitcoin-controller',
    ]);

    // WHEN it gets SIGTERM THEN it exits 0 after draining, with JSON logs and no password
    child.kill('SIGTERM');
    expect(await guard(exited, 30_000, 'exit after SIGTERM')).toBe(0);
    const lines = stdout.join('').trim().split('\n');
    const parsed = lines.map((l) => JSON.parse(l) as { msg: string; level: string });
    expect(parsed.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        'starting bitcoin-controller',
        'caches synced; leader election off: starting workers',
        'stopped',
      ]),
    );
    const secret = server.requests.find(is('POST', '/secrets'))?.body as {
      data: { password: string };
    };
    const password = Buffer.from(secret.data.password, 'base64').toString();
    expect(stdout.join('')).not.toContain(password);
  });
});
