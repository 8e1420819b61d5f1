import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { JsonRpcClient, RpcEndpoint } from '../../../controller/bitcoin/rpc';
import {
  RpcAuthError,
  RpcConnectionError,
  RpcHttpError,
  RpcProtocolError,
  RpcResponseError,
  RpcTimeoutError,
} from '../../../controller/bitcoin/rpc-errors';

interface Seen {
  method?: string;
  url?: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

type Handler = (req: Seen, res: http.ServerResponse) => void;

/** A fake bitcoind: records each request and answers with the test's handler. */
class FakeBitcoind {
  readonly seen: Seen[] = [];
  handler: Handler = (_req, res) => res.end();
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // keep text
      }
      const seen = { method: req.method, url: req.url, headers: req.headers, body };
      this.seen.push(seen);
      this.handler(seen, res);
    });
  });
  /** Open connections. */
  readonly sockets = new Set<import('node:net').Socket>();
  connections = 0;

  async listen(): Promise<number> {
    this.server.on('connection', (s) => {
      this.connections++;
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.sockets.forEach((s) => s.destroy());
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** JSON-RPC answer with the id of the request. */
function reply(res: http.ServerResponse, req: Seen, status: number, payload: object): void {
  const id = (req.body as { id?: unknown }).id;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ ...payload, id }));
}

describe('JsonRpcClient', () => {
  let bitcoind: FakeBitcoind;
  let endpoint: RpcEndpoint;
  let client: JsonRpcClient;

  beforeEach(async () => {
    bitcoind = new FakeBitcoind();
    const port = await bitcoind.listen();
    endpoint = { host: '127.0.0.1', port, username: 'alice', password: 'p@ss:word' };
    client = new JsonRpcClient({ timeoutMs: 2000 });
  });

  afterEach(async () => {
    client.close();
    await bitcoind.close();
  });

  test('sends HTTP basic auth with the endpoint credentials', async () => {
    bitcoind.handler = (req, res) => reply(res, req, 200, { result: null, error: null });
    await client.call(endpoint, 'getnetworkinfo');
    const auth = bitcoind.seen[0].headers.authorization ?? '';
    expect(auth.startsWith('Basic ')).toBe(true);
    expect(Buffer.from(auth.slice(6), 'base64').toString()).toBe('alice:p@ss:word');
  });

  test('posts a JSON-RPC request with method, params and an id to /', async () => {
    bitcoind.handler = (req, res) => reply(res, req, 200, { result: null, error: null });
    await client.addNode(endpoint, '10.0.0.2:18444', 'add');
    const req = bitcoind.seen[0];
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toEqual({
      jsonrpc: '2.0',
      id: expect.any(Number),
      method: 'addnode',
      params: ['10.0.0.2:18444', 'add'],
    });
  });

  test('decodes the result', async () => {
    const nodes = [{ addednode: '10.0.0.2:18444', connected: true, addresses: [] }];
    bitcoind.handler = (req, res) => reply(res, req, 200, { result: nodes, error: null });
    await expect(client.getAddedNodeInfo(endpoint)).resolves.toEqual(nodes);
    expect((bitcoind.seen[0].body as { params: unknown }).params).toEqual([]);
  });

  test('decodes a legacy error reply (HTTP 500 with an error object) into RpcResponseError', async () => {
    bitcoind.handler = (req, res) =>
      reply(res, req, 500, {
        result: null,
        error: { code: -23, message: 'Error: Node already added' },
      });
    const err = await client.addNode(endpoint, '10.0.0.2:18444', 'add').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcResponseError);
    expect(err).toMatchObject({
      code: -23,
      rpcMessage: 'Error: Node already added',
      method: 'addnode',
    });
  });

  test('decodes a JSON-RPC 2.0 error reply (HTTP 200) into RpcResponseError', async () => {
    bitcoind.handler = (req, res) =>
      reply(res, req, 200, { jsonrpc: '2.0', error: { code: -24, message: 'not added' } });
    await expect(client.addNode(endpoint, 'x:1', 'remove')).rejects.toMatchObject({
      name: 'RpcResponseError',
      code: -24,
    });
  });

  test('times out when bitcoind does not answer', async () => {
    bitcoind.handler = () => {
      /* never answers */
    };
    const fast = new JsonRpcClient({ timeoutMs: 50 });
    try {
      await expect(fast.call(endpoint, 'getnetworkinfo')).rejects.toBeInstanceOf(RpcTimeoutError);
    } finally {
      fast.close();
    }
  });

  test('rejects a body that is not JSON', async () => {
    bitcoind.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>work queue depth exceeded</html>');
    };
    await expect(client.call(endpoint, 'getnetworkinfo')).rejects.toBeInstanceOf(RpcProtocolError);
  });

  test('rejects a reply whose id does not match', async () => {
    bitcoind.handler = (_req, res) => {
      res.writeHead(200);
      res.end(JSON.stringify({ result: 1, error: null, id: 'other' }));
    };
    await expect(client.call(endpoint, 'getblockcount')).rejects.toThrow(/does not match/);
  });

  test('maps HTTP 401 to RpcAuthError without echoing the password', async () => {
    bitcoind.handler = (_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="jsonrpc"' });
      res.end();
    };
    const err = (await client.call(endpoint, 'getnetworkinfo').catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(RpcAuthError);
    expect(err).toMatchObject({ statusCode: 401 });
    expect(err.message).not.toContain(endpoint.password);
  });

  test('maps HTTP 500 without a JSON-RPC body to RpcHttpError', async () => {
    bitcoind.handler = (_req, res) => {
      res.writeHead(500);
      res.end('internal error');
    };
    const err = await client.call(endpoint, 'getnetworkinfo').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcHttpError);
    expect(err).not.toBeInstanceOf(RpcAuthError);
    expect(err).toMatchObject({ statusCode: 500 });
  });

  test('maps a refused connection to RpcConnectionError', async () => {
    await bitcoind.close();
    const err = (await client.call(endpoint, 'getnetworkinfo').catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(RpcConnectionError);
    expect(err.message).toContain(`127.0.0.1:${endpoint.port}`);
    expect(err.message).not.toContain(endpoint.password);
    bitcoind = new FakeBitcoind();
    await bitcoind.listen();
  });

  test('reuses a connection for calls in a row and closes it once idle', async () => {
    const idle = new JsonRpcClient({ timeoutMs: 2000, idleConnectionMs: 100 });
    bitcoind.handler = (req, res) => reply(res, req, 200, { result: null, error: null });
    for (let i = 0; i < 3; i++) await idle.call(endpoint, 'getnetworkinfo');
    expect(bitcoind.connections).toBe(1);
    for (let i = 0; i < 100 && bitcoind.sockets.size > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(bitcoind.sockets.size).toBe(0);
    idle.close();
  });

  test('the timeout must be positive', () => {
    expect(() => new JsonRpcClient({ timeoutMs: 0 })).toThrow(
      'timeoutMs must be greater than 0, got 0',
    );
  });
});
