/**
 * A fake bitcoind fleet for controller tests: each host keeps an added-node list, `addnode`
 * answers -23 and -24 as bitcoind does, and a test can make a host fail or hang.
 */
import type { AddedNodeInfo, AddNodeCommand, BitcoinRpc, RpcEndpoint } from '../bitcoin/rpc';
import {
  RpcResponseError,
  RPC_CLIENT_NODE_ALREADY_ADDED,
  RPC_CLIENT_NODE_NOT_ADDED,
} from '../bitcoin/rpc-errors';

export interface RpcCall {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly method: 'getaddednodeinfo' | 'addnode';
  readonly params: readonly string[];
}

export class FakeBitcoinRpc implements BitcoinRpc {
  readonly calls: RpcCall[] = [];
  private readonly added = new Map<string, string[]>();
  private readonly failures = new Map<string, Error>();
  private readonly hanging = new Map<string, Array<() => void>>();

  /** Every call to `host` fails with `error` until `heal(host)`. */
  fail(host: string, error: Error): void {
    this.failures.set(host, error);
  }

  heal(host: string): void {
    this.failures.delete(host);
  }

  /** Calls to `host` wait until `release(host)`; then they fail with `error`, if given. */
  hang(host: string): void {
    if (!this.hanging.has(host)) this.hanging.set(host, []);
  }

  /** Let hanging calls to `host` go on. */
  release(host: string): void {
    const waiters = this.hanging.get(host) ?? [];
    this.hanging.delete(host);
    waiters.forEach((w) => w());
  }

  /** Number of calls currently hanging on `host`. */
  waiting(host: string): number {
    return this.hanging.get(host)?.length ?? 0;
  }

  /** Set a host's added-node list. */
  seed(host: string, nodes: string[]): void {
    this.added.set(host, [...nodes]);
  }

  addedNodes(host: string): string[] {
    return [...(this.added.get(host) ?? [])];
  }

  async getAddedNodeInfo(ep: RpcEndpoint): Promise<AddedNodeInfo[]> {
    await this.enter(ep, 'getaddednodeinfo', []);
    return this.addedNodes(ep.host).map((addednode) => ({ addednode, connected: true }));
  }

  async addNode(ep: RpcEndpoint, node: string, command: AddNodeCommand): Promise<void> {
    await this.enter(ep, 'addnode', [node, command]);
    const list = this.added.get(ep.host) ?? [];
    if (command === 'add') {
      if (list.includes(node)) {
        throw new RpcResponseError(
          RPC_CLIENT_NODE_ALREADY_ADDED,
          'Error: Node already added',
          'addnode',
        );
      }
      this.added.set(ep.host, [...list, node]);
    } else if (command === 'remove') {
      if (!list.includes(node)) {
        throw new RpcResponseError(
          RPC_CLIENT_NODE_NOT_ADDED,
          'Error: Node could not be removed. It has not been added previously.',
          'addnode',
        );
      }
      this.added.set(
        ep.host,
        list.filter((n) => n !== node),
      );
    }
  }

  private async enter(ep: RpcEndpoint, method: RpcCall['method'], params: string[]): Promise<void> {
    this.calls.push({ host: ep.host, port: ep.port, username: ep.username, method, params });
    const waiters = this.hanging.get(ep.host);
    if (waiters) await new Promise<void>((resolve) => waiters.push(resolve));
    const err = this.failures.get(ep.host);
    if (err) throw err;
  }
}
