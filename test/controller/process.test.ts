/**
 * The process edges: flags, the pod address resolver, credentials helpers, logs and the health
 * server.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { derivedRpcAuth, rpcAuthLine } from '../../controller/bitcoin/credentials';
import { specHash } from '../../controller/reconcile/desired/meta';
import { ControllerMetrics, HealthServer } from '../../controller/runtime/health';
import { createLogger } from '../../controller/runtime/log';
import { parseOptions, USAGE } from '../../controller/runtime/options';
import {
  MapFileResolver,
  parseAddressMap,
  PodIpResolver,
  UnmappedPodResolver,
} from '../../controller/bitcoin/resolver';
import { networkObject } from './fixtures';

describe('parseOptions', () => {
  test('defaults', () => {
    expect(parseOptions([], {})).toEqual({
      kubeconfig: undefined,
      workers: 4,
      resyncSeconds: 30,
      rpcTimeoutMs: 5000,
      rpcAddressMap: undefined,
      rpcAddressMapStrict: false,
      healthPort: 8081,
      healthBind: '0.0.0.0',
      logLevel: 'info',
      leaderElect: false,
      leaderElectionNamespace: undefined,
      namespaces: [],
      help: false,
    });
  });

  test('--namespaces (or its environment variable) narrows the watch to a list of namespaces', () => {
    expect(parseOptions(['--namespaces', 'team-a, team-b'], {}).namespaces).toEqual([
      'team-a',
      'team-b',
    ]);
    expect(parseOptions([], { BITCOIN_CONTROLLER_NAMESPACES: 'bitcoin' }).namespaces).toEqual([
      'bitcoin',
    ]);
    expect(parseOptions([], { BITCOIN_CONTROLLER_NAMESPACES: '' }).namespaces).toEqual([]);
  });

  test('leader election: on by default in a pod only, and --leader-elect takes true, false or nothing', () => {
    const pod = { KUBERNETES_SERVICE_HOST: '10.0.0.1', POD_NAMESPACE: 'bitcoin-controller' };
    expect(parseOptions([], pod)).toMatchObject({
      leaderElect: true,
      leaderElectionNamespace: 'bitcoin-controller',
    });
    expect(parseOptions(['--leader-elect=false'], pod).leaderElect).toBe(false);
    expect(parseOptions(['--kubeconfig', '/k'], pod).leaderElect).toBe(false);
    expect(parseOptions(['--leader-elect', '--workers', '2'], {}).leaderElect).toBe(true);
    expect(parseOptions(['--leader-elect', 'false'], {}).leaderElect).toBe(false);
    expect(parseOptions([], { BITCOIN_CONTROLLER_LEADER_ELECT: 'true' }).leaderElect).toBe(true);
    expect(parseOptions(['--leader-election-namespace', 'ops'], pod).leaderElectionNamespace).toBe(
      'ops',
    );
    expect(() => parseOptions(['--leader-elect=yes'], {})).toThrow(
      '--leader-elect must be true or false, got "yes"',
    );
  });

  test('flags win over environment variables, which win over defaults', () => {
    const env = { BITCOIN_CONTROLLER_WORKERS: '8', BITCOIN_CONTROLLER_RPC_TIMEOUT_MS: '750' };
    const o = parseOptions(
      ['--kubeconfig', '/k/config', '--workers', '2', '--rpc-address-map', '/m.json'],
      env,
    );
    expect(o).toMatchObject({
      kubeconfig: '/k/config',
      workers: 2,
      rpcTimeoutMs: 750,
      rpcAddressMap: '/m.json',
    });
  });

  test.each([
    [['--workers', '0'], '--workers must be an integer from 1 to 64, got "0"'],
    [['--workers', 'many'], '--workers must be an integer from 1 to 64, got "many"'],
    [['--health-port', '70000'], '--health-port must be an integer from 0 to 65535, got "70000"'],
    [['--log-level', 'loud'], /--log-level must be one of trace, debug/],
    [['--no-such-flag'], /Unknown option '--no-such-flag'/],
    [['--rpc-address-map-strict'], '--rpc-address-map-strict needs --rpc-address-map'],
    [
      ['--namespaces', 'team-a,Team_B'],
      '--namespaces must be a comma-separated list of distinct namespace names (lowercase RFC 1123 labels of at most 63 characters), got "team-a,Team_B"',
    ],
    [['--namespaces', 'a,b,a'], /--namespaces must be a comma-separated list of distinct/],
    [['--namespaces', 'x'.repeat(64)], /--namespaces must be/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseOptions(argv, {})).toThrow(message);
  });

  test('the help lists every log level the parser accepts, silent included', () => {
    expect(USAGE).toContain('trace|debug|info|warn|error|fatal|silent');
    expect(parseOptions(['--log-level', 'silent'], {}).logLevel).toBe('silent');
  });
});

describe('address resolvers', () => {
  test('the default is the pod IP and the regtest RPC port', () => {
    expect(new PodIpResolver().resolve({ namespace: 'n', name: 'p', ip: '10.1.2.3' })).toEqual({
      host: '10.1.2.3',
      port: 18443,
    });
  });

  test('a map file maps pods by namespace/name, then name, else falls back; edits are picked up', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rpcmap-'));
    const file = path.join(dir, 'map.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ 'ns1/net-sts-0': '127.0.0.1:30001', 'net-sts-1': '127.0.0.2:30002' }),
    );
    const r = new MapFileResolver(file);
    expect(r.resolve({ namespace: 'ns1', name: 'net-sts-0', ip: '10.0.0.1' })).toEqual({
      host: '127.0.0.1',
      port: 30001,
    });
    expect(r.resolve({ namespace: 'ns2', name: 'net-sts-1', ip: '10.0.0.2' })).toEqual({
      host: '127.0.0.2',
      port: 30002,
    });
    expect(r.resolve({ namespace: 'ns1', name: 'net-sts-9', ip: '10.0.0.9' })).toEqual({
      host: '10.0.0.9',
      port: 18443,
    });
    fs.writeFileSync(file, JSON.stringify({ 'ns1/net-sts-9': '[::1]:30009' }));
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(r.resolve({ namespace: 'ns1', name: 'net-sts-9', ip: '10.0.0.9' })).toEqual({
      host: '::1',
      port: 30009,
    });
    fs.rmSync(dir, { recursive: true });
  });

  test('a strict map never falls back to the pod IP', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rpcmap-'));
    const file = path.join(dir, 'map.json');
    fs.writeFileSync(file, JSON.stringify({ 'ns1/net-sts-0': '127.0.0.1:30001' }));
    const r = new MapFileResolver(file, new UnmappedPodResolver(file));
    expect(r.resolve({ namespace: 'ns1', name: 'net-sts-0', ip: '10.0.0.1' }).host).toBe(
      '127.0.0.1',
    );
    expect(() => r.resolve({ namespace: 'ns1', name: 'net-sts-1', ip: '10.0.0.2' })).toThrow(
      `pod ns1/net-sts-1 has no entry in the RPC address map ${file}`,
    );
    fs.rmSync(dir, { recursive: true });
  });

  test('a bad map names the file and the entry', () => {
    expect(() => parseAddressMap('{"a": "nohost"}', 'm.json')).toThrow(
      'm.json: entry "a": expected "host:port", got "nohost"',
    );
    expect(() => parseAddressMap('[]', 'm.json')).toThrow(/expected a JSON object/);
    expect(() => new MapFileResolver('/nonexistent/map.json')).toThrow(/ENOENT/);
  });
});

describe('credentials helpers', () => {
  test('rpcAuthLine matches bitcoind share/rpcauth output for a known salt', () => {
    // Computed with bitcoind's rpcauth algorithm: HMAC-SHA256(key=salt hex string, msg=password).
    expect(rpcAuthLine('alice', 's3cret-pw', '0123456789abcdef0123456789abcdef')).toBe(
      'alice:0123456789abcdef0123456789abcdef$7e7c61a512583617a56fb7b747386223ac48fd4d6d5498781b9ea49e4e346a38',
    );
  });

  test('the derived rpcauth of a user Secret is stable and differs between networks', () => {
    const a = { ...networkObject('a', { nodes: 1 }), metadata: { name: 'a', uid: 'uid-a' } };
    const b = { ...networkObject('b', { nodes: 1 }), metadata: { name: 'b', uid: 'uid-b' } };
    const creds = { username: 'u', password: 'p' };
    expect(derivedRpcAuth(a, 's', creds)).toBe(derivedRpcAuth(a, 's', creds));
    expect(derivedRpcAuth(a, 's', creds)).not.toBe(derivedRpcAuth(b, 's', creds));
  });

  test('specHash ignores key order and undefined fields', () => {
    expect(specHash({ a: 1, b: { c: 2, d: undefined } })).toBe(specHash({ b: { c: 2 }, a: 1 }));
    expect(specHash({ a: 1 })).not.toBe(specHash({ a: 2 }));
  });
});

describe('logging', () => {
  test('logs are JSON lines with level labels, and credential fields are redacted', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = createLogger('info', sink);
    log.info({ endpoint: { host: 'h', password: 'hunter2' }, password: 'hunter3' }, 'hello');
    const entry = JSON.parse(lines[0]);
    expect(entry).toMatchObject({ level: 'info', msg: 'hello', component: 'bitcoin-controller' });
    expect(lines[0]).not.toContain('hunter2');
    expect(lines[0]).not.toContain('hunter3');
  });
});

describe('HealthServer', () => {
  function get(port: number, p: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: p }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on('error', reject);
    });
  }

  test('healthz and readyz follow their checks with the reason in the body; metrics are exposed', async () => {
    let ready = false;
    let live = true;
    const metrics = new ControllerMetrics(() => 3);
    metrics.observe('ok', 0.01);
    const server = new HealthServer({
      ready: () => (ready ? { ok: true } : { ok: false, reason: '2 informer(s) not synced' }),
      live: () => (live ? { ok: true } : { ok: false, reason: 'pods: failing for 130 s' }),
      metrics,
    });
    const port = await server.listen(0, '127.0.0.1');
    try {
      expect((await get(port, '/healthz')).status).toBe(200);
      expect(await get(port, '/readyz')).toEqual({
        status: 503,
        body: '2 informer(s) not synced\n',
      });
      ready = true;
      expect((await get(port, '/readyz')).status).toBe(200);
      live = false;
      expect(await get(port, '/healthz')).toEqual({
        status: 503,
        body: 'pods: failing for 130 s\n',
      });
      const m = await get(port, '/metrics');
      expect(m.body).toContain('bitcoin_controller_syncs_total{outcome="ok"} 1');
      expect(m.body).toContain('bitcoin_controller_queue_depth 3');
      expect((await get(port, '/nope')).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
