/**
 * The second octet N of a plane's pod range 10.N.0.0/16, distinct from every other plane's in
 * the same network namespace (jest's parallel workers share one), so that the fake pod servers
 * of two planes never answer each other's controllers. A plane holds a listening socket on
 * 10.N.255.253 while it runs; the kernel frees it however its process ends. Outside a namespace
 * of tools/netns no 10.x address can be bound, pod IPs answer nowhere, and N is only random.
 */
import * as net from 'node:net';

// Any fixed port: what makes a second plane's bind fail is the same address and port.
const RESERVATION_PORT = 65000;

export interface PodNet {
  readonly octet: number;
  /** Gives N back; nothing to do when it was not reserved. */
  release(): Promise<void>;
}

export async function reservePodNet(): Promise<PodNet> {
  // From a random start, so that a plane outside a namespace still gets a random N.
  const start = Math.floor(Math.random() * 254);
  for (let i = 0; i < 254; i++) {
    const octet = 1 + ((start + i) % 254);
    const result = await listen(`10.${octet}.255.253`);
    if (result === 'in use') continue;
    if (result === 'not local') return { octet, release: async () => undefined };
    return { octet, release: () => new Promise((resolve) => result.close(() => resolve())) };
  }
  throw new Error('every pod range 10.1.0.0/16 to 10.254.0.0/16 is taken by a running plane');
}

function listen(host: string): Promise<net.Server | 'in use' | 'not local'> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve('in use');
      else if (err.code === 'EADDRNOTAVAIL') resolve('not local');
      else reject(err);
    });
    // Not a reason to keep the process alive: a plane's owner exits when its work is done.
    server.listen(RESERVATION_PORT, host, () => resolve(server.unref()));
  });
}
