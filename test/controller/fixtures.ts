import { KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import {
  API_VERSION,
  BitcoinNetwork,
  BitcoinNetworkSpec,
  Condition,
  KIND,
} from '../../controller/api';
import { BitcoinNetworkController } from '../../controller/runtime/controller';
import { FakeKube } from '../../controller/testing/kube';
import { FakeBitcoinRpc } from '../../controller/testing/rpc';
import { ItemExponentialRateLimiter, WorkQueue } from '../../controller/runtime/queue';
import type { BitcoinRpc } from '../../controller/bitcoin/rpc';

export const NOW = new Date('2026-01-01T00:00:00Z');

/** A kubeconfig for building clients that are never called: nothing listens on its port. */
export function unreachableKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:1' }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  return kc;
}
export const NS = 'default';
/** The queue key of the network most tests make, `net` in NS. */
export const KEY = `${NS}/net`;

/** The condition of `type` in a network's status. */
export function cond(network: BitcoinNetwork, type: string): Condition | undefined {
  return network.status?.conditions?.find((c) => c.type === type);
}

export function b64(s: string): string {
  return Buffer.from(s).toString('base64');
}

export function networkObject(name: string, spec: BitcoinNetworkSpec, ns = NS): BitcoinNetwork {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, namespace: ns, generation: 1 },
    spec,
  };
}

export interface Fixture {
  kube: FakeKube;
  rpc: FakeBitcoinRpc;
  controller: BitcoinNetworkController;
  queue: WorkQueue;
  logs: string[];
  /** Add a network to the fake API and return it as stored. */
  addNetwork(name: string, spec: BitcoinNetworkSpec, ns?: string): BitcoinNetwork;
  network(name: string, ns?: string): BitcoinNetwork;
  /** Sync a network until it is created, its pods are up and its status is written. */
  bringUp(name: string, ns?: string): Promise<void>;
}

export function fixture(options: { rpc?: BitcoinRpc } = {}): Fixture {
  const kube = new FakeKube(() => NOW);
  const rpc = new FakeBitcoinRpc();
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(line) });
  let seed = 0;
  const queue = new WorkQueue({ rateLimiter: new ItemExponentialRateLimiter(5, 300_000) });
  const controller = new BitcoinNetworkController({
    api: kube,
    listers: kube,
    rpc: options.rpc ?? rpc,
    logger,
    queue,
    now: () => NOW,
    // Repeatable "random" bytes.
    randomBytes: (n) => Buffer.alloc(n, ++seed),
  });
  const f: Fixture = {
    kube,
    rpc,
    controller,
    queue,
    logs,
    addNetwork: (name, spec, ns = NS) =>
      kube.seed('bitcoinnetworks', networkObject(name, spec, ns)),
    network: (name, ns = NS) => {
      const n = kube.network(ns, name);
      if (!n) throw new Error(`no network ${ns}/${name}`);
      return n;
    },
    bringUp: async (name, ns = NS) => {
      await controller.sync(`${ns}/${name}`);
      kube.runStatefulSets({ ready: true });
      await controller.sync(`${ns}/${name}`);
    },
  };
  return f;
}

/** A promise and its resolver. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
