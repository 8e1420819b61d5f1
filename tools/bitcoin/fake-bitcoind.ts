/**
 * A fake bitcoind JSON-RPC server for the operator's end-to-end suite.
 *
 * Each fake node is a pod IP with a listener on bitcoind's regtest RPC port, so the controller
 * dials pods exactly as in a cluster; that needs a network namespace of tools/netns, where the
 * plane's pod range is local. The request handler tells nodes apart by the local address the
 * client connected to (`socket.localAddress`), checks HTTP basic auth against the node's
 * credentials, and keeps a per-node added-node list behind `getnetworkinfo`, `getaddednodeinfo`
 * and `addnode`, with bitcoind's error codes (-23 already added, -24 not added).
 *
 * One listener per address rather than one on the wildcard address: a node that is down (or
 * not yet known) must refuse connections, as a stopped bitcoind does.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import * as net from 'node:net';
import { RPC_PORT } from '../../controller/api';

export const RPC_CLIENT_NODE_ALREADY_ADDED = -23;
export const RPC_CLIENT_NODE_NOT_ADDED = -24;
const RPC_METHOD_NOT_FOUND = -32601;
const RPC_INVALID_PARAMETER = -8;

export interface FakeNodeIdentity {
  /** Changes when the pod is replaced; a new pod is a new bitcoind with an empty list. */
  readonly id: string;
  /** `namespace/pod`, for messages. */
  readonly pod: string;
  /** The `user:salt$hmac` line the node started with (`-rpcauth`). */
  readonly rpcauth: string;
}

/** One JSON-RPC call as the fake saw it. */
export interface RpcCall {
  readonly address: string;
  readonly pod: string;
  readonly method: string;
  readonly params: readonly unknown[];
  /** The JSON-RPC error code answered, if any; 401 for rejected credentials. */
  readonly error?: number;
}

interface FakeNode {
  identity: FakeNodeIdentity;
  readonly added: Set<string>;
  server?: http.Server;
  readonly sockets: Set<net.Socket>;
}

export class FakeBitcoind {
  private readonly nodes = new Map<string, FakeNode>();
  private down = false;
  /** Every call answered, in order. */
  readonly calls: RpcCall[] = [];

  constructor(readonly port = RPC_PORT) {}

  /**
   * Declares (or updates) the node at IPv4 `address` (its pod IP) and makes sure it listens. A
   * changed identity id means a new pod: its added-node list starts empty, as a restarted
   * bitcoind's.
   */
  async setNode(address: string, identity: FakeNodeIdentity): Promise<void> {
    if (!net.isIPv4(address) || address === '0.0.0.0') {
      throw new Error(`fake bitcoind: address must be one IPv4 address, got "${address}"`);
    }
    let node = this.nodes.get(address);
    if (!node) {
      node = { identity, added: new Set(), sockets: new Set() };
      this.nodes.set(address, node);
    } else if (node.identity.id !== identity.id) {
      node.added.clear();
    }
    node.identity = identity;
    if (!this.down) await this.listen(address, node);
  }

  /** Forgets a node whose pod is gone, and stops its listener. */
  async removeNode(address: string): Promise<void> {
    const node = this.nodes.get(address);
    if (!node) return;
    this.nodes.delete(address);
    await closeServer(node);
  }

  addresses(): string[] {
    return [...this.nodes.keys()];
  }

  /** The node's added-node list, sorted; undefined for an unknown address. */
  addedNodes(address: string): string[] | undefined {
    const node = this.nodes.get(address);
    return node ? [...node.added].sort() : undefined;
  }

  /**
   * Takes every node off the network: listeners closed, open connections reset, so calls fail
   * with "connection refused". With `restart`, the nodes come back with empty added-node lists,
   * as bitcoind does after a restart (`addnode` entries are not persisted).
   */
  async stop(options: { restart?: boolean } = {}): Promise<void> {
    this.down = true;
    await Promise.all([...this.nodes.values()].map(closeServer));
    if (options.restart) for (const node of this.nodes.values()) node.added.clear();
  }

  /** Brings every known node back after `stop()`. */
  async start(): Promise<void> {
    this.down = false;
    await Promise.all(
      [...this.nodes.entries()].map(([address, node]) => this.listen(address, node)),
    );
  }

  async close(): Promise<void> {
    await this.stop();
    this.nodes.clear();
  }

  private listen(address: string, node: FakeNode): Promise<void> {
    if (node.server) return Promise.resolve();
    const server = http.createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 60_000;
    server.on('connection', (socket: net.Socket) => {
      node.sockets.add(socket);
      socket.on('close', () => node.sockets.delete(socket));
    });
    node.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', (err) => {
        node.server = undefined;
        reject(
          new Error(`fake bitcoind: cannot listen on ${address}:${this.port}: ${err.message}`),
        );
      });
      server.listen(this.port, address, () => resolve());
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      // The node is whichever address the client dialled.
      const address = req.socket.localAddress ?? '';
      const node = this.nodes.get(address);
      let request: { id?: unknown; jsonrpc?: unknown; method?: unknown; params?: unknown };
      try {
        request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400).end();
        return;
      }
      const method = typeof request.method === 'string' ? request.method : '';
      const params = Array.isArray(request.params) ? request.params : [];
      const record = (error?: number) =>
        this.calls.push({ address, pod: node?.identity.pod ?? '?', method, params, error });
      if (!node || !authorized(req.headers.authorization, node.identity)) {
        record(401);
        // What bitcoind answers to bad credentials: 401, no body.
        res.writeHead(401, { 'www-authenticate': 'Basic realm="jsonrpc"' }).end();
        return;
      }
      const reply = (result: unknown, error?: { code: number; message: string }) => {
        record(error?.code);
        const body =
          request.jsonrpc === '2.0'
            ? { jsonrpc: '2.0', ...(error ? { error } : { result }), id: request.id }
            : { result: error ? null : result, error: error ?? null, id: request.id };
        // JSON-RPC 2.0 errors come with HTTP 200; legacy ones with 500, as bitcoind does.
        const status = error && request.jsonrpc !== '2.0' ? 500 : 200;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      this.dispatch(node, method, params, reply);
    });
  }

  private dispatch(
    node: FakeNode,
    method: string,
    params: readonly unknown[],
    reply: (result: unknown, error?: { code: number; message: string }) => void,
  ): void {
    switch (method) {
      case 'getnetworkinfo':
        return reply({
          version: 290400,
          subversion: '/Satoshi:29.4.0/',
          protocolversion: 70016,
          networkactive: true,
          connections: node.added.size,
          connections_in: 0,
          connections_out: node.added.size,
          networks: [],
          relayfee: 0.00001,
          incrementalfee: 0.00001,
          localaddresses: [],
          warnings: [],
        });
      case 'getaddednodeinfo': {
        const info = [...node.added].map((addednode) => ({
          addednode,
          connected: false,
          addresses: [],
        }));
        const [only] = params;
        if (only === undefined || only === null) return reply(info);
        const one = info.filter((i) => i.addednode === only);
        if (one.length === 0) {
          return reply(null, {
            code: RPC_CLIENT_NODE_NOT_ADDED,
            message: 'Error: Node has not been added.',
          });
        }
        return reply(one);
      }
      case 'addnode': {
        const [peer, command] = params;
        if (typeof peer !== 'string' || !['add', 'remove', 'onetry'].includes(String(command))) {
          return reply(null, {
            code: RPC_INVALID_PARAMETER,
            message: 'addnode "node" "command": command must be add, remove or onetry',
          });
        }
        if (command === 'add') {
          if (node.added.has(peer)) {
            return reply(null, {
              code: RPC_CLIENT_NODE_ALREADY_ADDED,
              message: 'Error: Node already added',
            });
          }
          node.added.add(peer);
        } else if (command === 'remove') {
          if (!node.added.delete(peer)) {
            return reply(null, {
              code: RPC_CLIENT_NODE_NOT_ADDED,
              message: 'Error: Node could not be removed. It has not been added previously.',
            });
          }
        }
        return reply(null);
      }
      default:
        return reply(null, { code: RPC_METHOD_NOT_FOUND, message: 'Method not found' });
    }
  }
}

/**
 * bitcoind's check of HTTP basic auth against an `-rpcauth` line: the user matches, and the
 * HMAC-SHA256 of the password keyed with the salt string is the line's hash.
 */
function authorized(header: string | undefined, identity: FakeNodeIdentity): boolean {
  if (!header?.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const lineColon = identity.rpcauth.indexOf(':');
  if (colon < 0 || lineColon < 0) return false;
  const [salt, hash] = identity.rpcauth.slice(lineColon + 1).split('$');
  if (decoded.slice(0, colon) !== identity.rpcauth.slice(0, lineColon) || !salt || !hash) {
    return false;
  }
  const expected = Buffer.from(hash, 'utf8');
  const actual = Buffer.from(
    createHmac('sha256', salt)
      .update(decoded.slice(colon + 1))
      .digest('hex'),
    'utf8',
  );
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function closeServer(node: FakeNode): Promise<void> {
  const server = node.server;
  if (!server) return Promise.resolve();
  node.server = undefined;
  for (const socket of node.sockets) socket.destroy();
  node.sockets.clear();
  return new Promise((resolve) => server.close(() => resolve()));
}
