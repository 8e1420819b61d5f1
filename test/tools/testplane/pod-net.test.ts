/**
 * Pod ranges of planes that share a network namespace, as jest's parallel workers do. Each case
 * runs in a namespace of its own, so that it means the same inside `npm test` and outside.
 */
import * as path from 'node:path';
import { runInNetworkNamespace } from '../../../tools/netns/namespace';
import { REPO_ROOT } from '../../../tools/base/repo-root';

const POD_NET = JSON.stringify(path.join(REPO_ROOT, 'tools', 'testplane', 'pod-net.ts'));

/** Runs `body` (async, may use `reservePodNet` and `bind`) in a namespace; resolves its JSON. */
async function inNamespace(localCidrs: string[], body: string): Promise<unknown> {
  const script = `
    const net = require('node:net');
    const { reservePodNet } = require(${POD_NET});
    // The error code of binding the reservation's address and port, or 'bound'.
    const bind = (octet) => new Promise((resolve) => {
      const server = net.createServer();
      server.once('error', (err) => resolve(err.code));
      server.listen(65000, '10.' + octet + '.255.253', () => server.close(() => resolve('bound')));
    });
    (async () => { ${body} })().then((r) => console.log(JSON.stringify(r)));`;
  const child = runInNetworkNamespace(process.execPath, ['--import', 'tsx', '-e', script], {
    localCidrs,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  expect(code).toBe(0);
  return JSON.parse(out);
}

test('two planes in one namespace get different pod ranges, each held until released', async () => {
  const result = await inNamespace(
    ['10.0.0.0/8'],
    `const a = await reservePodNet();
     const b = await reservePodNet();
     const held = [await bind(a.octet), await bind(b.octet)];
     await a.release();
     return { differ: a.octet !== b.octet, octets: [a.octet, b.octet], held, released: await bind(a.octet) };`,
  );
  expect(result).toEqual({
    differ: true,
    octets: [expect.any(Number), expect.any(Number)],
    held: ['EADDRINUSE', 'EADDRINUSE'],
    released: 'bound',
  });
  for (const octet of (result as { octets: number[] }).octets) {
    expect(octet).toBeGreaterThanOrEqual(1);
    expect(octet).toBeLessThanOrEqual(254);
  }
});

test('where no pod IP can be bound, as on the host, a plane still gets a range', async () => {
  const octet = await inNamespace(['192.0.2.0/24'], `return (await reservePodNet()).octet;`);
  expect(octet).toBeGreaterThanOrEqual(1);
  expect(octet).toBeLessThanOrEqual(254);
});
