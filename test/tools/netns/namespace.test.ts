/** What a command sees inside the namespace: lo only, its local CIDRs answer, nothing else. */
import * as path from 'node:path';
import { runInNetworkNamespace } from '../../../tools/netns/namespace';
import { REPO_ROOT } from '../../../tools/base/repo-root';

const DETECT = JSON.stringify(path.join(REPO_ROOT, 'tools', 'netns', 'detect.ts'));

/** Runs a node script inside a namespace with `localCidrs`; resolves with its stdout lines. */
function insideNode(script: string, localCidrs = ['10.0.0.0/8']): Promise<string[]> {
  const child = runInNetworkNamespace(process.execPath, ['--import', 'tsx', '-e', script], {
    localCidrs,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) =>
      code === 0 ? resolve(out.trim().split('\n')) : reject(new Error(`exit ${code}: ${out}`)),
    ),
  );
}

// Binds a server on `host`, connects to it, prints what came back or the error code.
const bindAndConnect = (host: string) => `
  const net = require('node:net');
  const server = net.createServer((c) => c.end('pong ' + c.localAddress));
  server.on('error', (e) => console.log(e.code));
  server.listen(0, '${host}', () => {
    net.connect(server.address().port, '${host}').on('data', (d) => {
      console.log(String(d));
      server.close();
    });
  });`;

// Connects to host:port and prints the error code and whether it came at once.
const connectError = (host: string, port: number) => `
  const started = Date.now();
  require('node:net').connect(${port}, '${host}')
    .on('connect', () => console.log('connected'))
    .on('error', (e) => console.log(e.code, Date.now() - started < 1000 ? 'at once' : 'slowly'));`;

describe('a command in a network namespace', () => {
  test('sees only lo', async () => {
    const names = `console.log(require(${DETECT}).networkInterfaces().join(','))`;
    expect(await insideNode(names)).toEqual(['lo']);
  });

  test('can bind and reach any address of its local CIDRs, like a pod IP', async () => {
    expect(await insideNode(bindAndConnect('10.77.3.4'))).toEqual(['pong 10.77.3.4']);
    expect(await insideNode(bindAndConnect('10.200.255.254'))).toEqual(['pong 10.200.255.254']);
  });

  test('and loopback, which is up', async () => {
    expect(await insideNode(bindAndConnect('127.0.0.1'))).toEqual(['pong 127.0.0.1']);
  });

  test('cannot bind an address outside its local CIDRs', async () => {
    expect(await insideNode(bindAndConnect('10.78.1.1'), ['10.77.0.0/16'])).toEqual([
      'EADDRNOTAVAIL',
    ]);
  });

  test('gets connection refused from a local address nobody listens on', async () => {
    expect(await insideNode(connectError('10.77.9.9', 1))).toEqual(['ECONNREFUSED at once']);
  });

  test('cannot reach outside: an outside address is unreachable at once', async () => {
    expect(await insideNode(connectError('192.0.2.1', 80))).toEqual(['ENETUNREACH at once']);
  });

  test('knows it is inside, with the CIDRs it was given', async () => {
    const detect = `
      const { isInsideNetworkNamespace, namespaceLocalCidrs } = require(${DETECT});
      console.log(isInsideNetworkNamespace(), namespaceLocalCidrs().map((c) => c.text).join());`;
    expect(await insideNode(detect, ['10.77.0.0/16', '172.20.0.0/16'])).toEqual([
      'true 10.77.0.0/16,172.20.0.0/16',
    ]);
  });

  test('refuses a bad CIDR before starting anything', () => {
    expect(() => runInNetworkNamespace('true', [], { localCidrs: ['10.0.0.0/40'] })).toThrow(
      'localCidrs must be an IPv4 CIDR such as 10.0.0.0/8, got "10.0.0.0/40"',
    );
  });
});
