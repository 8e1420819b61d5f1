/**
 * What the operator's end-to-end suite and benchmark run around the controller: the controller
 * as a separate process, and a pod tracker that gives each network pod a fake bitcoind on its
 * pod IP. Both run inside a network namespace of tools/netns, where pod IPs are local.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import type { V1EnvVar } from '@kubernetes/client-node';
import { CONTROLLER_NODE_OPTIONS } from '../../k8s/bitcoin-operator-chart';
import { RPC_AUTH_ENV } from '../../controller/reconcile/desired/stateful-set';
import { requireNetworkNamespace } from '../netns/detect';
import { FakeBitcoind } from './fake-bitcoind';
import { CHILD_SELECTOR, CONTROLLER_NAME, CONTROLLER_NAMESPACE } from '../../controller/api';
import { REPO_ROOT } from '../base/repo-root';
import { HttpResponse, request, TlsClient } from '../testplane/lib/http';
import { freePort, sleep } from '../testplane/lib/process';
import { TestPlane } from '../testplane/plane';

export { CONTROLLER_NAMESPACE };
/** The chart's ServiceAccount, which the controller runs as. */
export const CONTROLLER_SA = CONTROLLER_NAME;
export const CONTROLLER_USER = `system:serviceaccount:${CONTROLLER_NAMESPACE}:${CONTROLLER_SA}`;

/** GETs and writes as the plane's admin, without spawning kubectl. */
export class AdminApi {
  private readonly tls: TlsClient;

  constructor(private readonly plane: TestPlane) {
    const config = JSON.parse(fs.readFileSync(plane.kubeconfig, 'utf8')) as {
      users: { user: { 'client-certificate': string; 'client-key': string } }[];
    };
    const { user } = config.users[0];
    this.tls = { caCert: plane.caCert, cert: user['client-certificate'], key: user['client-key'] };
  }

  async get<T>(urlPath: string): Promise<T> {
    const res = await request(`${this.plane.server}${urlPath}`, this.tls);
    if (res.status !== 200) throw new Error(`GET ${urlPath}: ${res.status} ${res.body}`);
    return JSON.parse(res.body) as T;
  }

  /** Any other request; resolves with the status and body, whatever the status. */
  send(method: string, urlPath: string, json?: unknown): Promise<HttpResponse> {
    return request(`${this.plane.server}${urlPath}`, this.tls, { method, json });
  }

  /**
   * Streams a watch (`urlPath` with `watch=true`): `onEvent` gets each event as it arrives,
   * `onEnd` once when the stream ends or fails. Returns what stops it.
   */
  watch(
    urlPath: string,
    onEvent: (event: { type: string; object: unknown }) => void,
    onEnd: (err?: Error) => void,
  ): () => void {
    let pending = '';
    let ended = false;
    const end = (err?: Error) => {
      if (!ended) onEnd(err);
      ended = true;
    };
    const req = https.request(
      `${this.plane.server}${urlPath}`,
      {
        ca: fs.readFileSync(this.tls.caCert),
        cert: fs.readFileSync(this.tls.cert!),
        key: fs.readFileSync(this.tls.key!),
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          end(new Error(`watch ${urlPath}: HTTP ${res.statusCode}`));
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const lines = (pending + chunk).split('\n');
          pending = lines.pop()!;
          for (const line of lines) if (line.trim() !== '') onEvent(JSON.parse(line));
        });
        res.on('end', () => end());
        res.on('error', end);
      },
    );
    req.on('error', end);
    req.end();
    return () => {
      ended = true;
      req.destroy();
    };
  }

  /** A JSON merge patch; resolves with the HTTP status. */
  mergePatch(urlPath: string, patch: unknown): Promise<number> {
    const body = JSON.stringify(patch);
    return new Promise((resolve, reject) => {
      const req = https.request(
        `${this.plane.server}${urlPath}`,
        {
          method: 'PATCH',
          ca: fs.readFileSync(this.tls.caCert),
          cert: fs.readFileSync(this.tls.cert!),
          key: fs.readFileSync(this.tls.key!),
          headers: { 'content-type': 'application/merge-patch+json' },
          timeout: 5_000,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error(`PATCH ${urlPath} timed out`)));
      req.end(body);
    });
  }
}

interface PodList {
  items: {
    metadata: { name: string; namespace: string; uid: string };
    spec?: { containers: { env?: V1EnvVar[] }[] };
    status?: { podIP?: string };
  }[];
}

/**
 * A key of a Secret, decoded; undefined while the Secret or the key is missing. One GET when a
 * pod is first seen, rather than a list of every Secret (Helm's releases are large) each poll.
 */
async function secretKey(
  api: AdminApi,
  namespace: string,
  name: string,
  key: string,
): Promise<string | undefined> {
  const secret = await api
    .get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${namespace}/secrets/${name}`)
    .catch(() => undefined);
  const b64 = secret?.data?.[key];
  return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8');
}

/**
 * Polls the network pods as admin and keeps a fake bitcoind node on each pod's IP. Like a kubelet, it resolves the pod's `-rpcauth` variable (a value, or a key of a Secret)
 * once, when it first sees the pod, and the node keeps that line for the pod's life: new
 * credentials reach bitcoind only through new pods. Until a pod's node listens (or while its
 * Secret is missing, when a real container could not start), calls to it are refused and the
 * controller retries, as with a bitcoind still starting.
 */
export class PodTracker {
  private timer?: Promise<void>;
  private stopped = false;
  /** The `-rpcauth` line each pod started with, by pod uid. */
  private readonly started = new Map<string, string>();

  constructor(
    private readonly plane: TestPlane,
    private readonly fake: FakeBitcoind,
    private readonly periodMs = 200,
  ) {
    // Outside one, pod IPs cannot be bound, and the controller's calls would leave the machine.
    requireNetworkNamespace(plane.podCidr, '`tsx tools/netns/run.ts -- <command>`');
  }

  start(): void {
    const api = new AdminApi(this.plane);
    this.timer = (async () => {
      while (!this.stopped) {
        // The apiserver is down in fault tests: keep the last state and try again.
        await this.poll(api).catch(() => undefined);
        await sleep(this.periodMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.timer;
  }

  private async poll(api: AdminApi): Promise<void> {
    const pods = await api.get<PodList>(
      `/api/v1/pods?labelSelector=${encodeURIComponent(CHILD_SELECTOR)}`,
    );
    const live = new Set<string>();
    const uids = new Set<string>();
    for (const pod of pods.items) {
      const { namespace, uid } = pod.metadata;
      uids.add(uid);
      const ip = pod.status?.podIP;
      if (!ip) continue;
      let rpcauth = this.started.get(uid);
      if (rpcauth === undefined) {
        const env = pod.spec?.containers.flatMap((c) => c.env ?? []);
        const auth = env?.find((e) => e.name === RPC_AUTH_ENV);
        const ref = auth?.valueFrom?.secretKeyRef;
        rpcauth = ref ? await secretKey(api, namespace, ref.name ?? '', ref.key) : auth?.value;
        if (rpcauth === undefined) continue;
        this.started.set(uid, rpcauth);
      }
      const key = `${namespace}/${pod.metadata.name}`;
      await this.fake.setNode(ip, { id: uid, pod: key, rpcauth });
      live.add(ip);
    }
    for (const uid of this.started.keys()) if (!uids.has(uid)) this.started.delete(uid);
    for (const address of this.fake.addresses()) {
      if (!live.has(address)) await this.fake.removeNode(address);
    }
  }
}

export interface ControllerOptions {
  readonly kubeconfig: string;
  readonly logFile: string;
  readonly resyncSeconds?: number;
  readonly workers?: number;
  readonly logLevel?: string;
  /** NODE_OPTIONS of the controller process. @default CONTROLLER_NODE_OPTIONS, as the chart sets */
  readonly nodeOptions?: string;
  /** More environment, as the chart's Deployment sets it (e.g. the namespaces to watch). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Run `dist/controller/main.js` (see `buildController()`) with plain node, as the image
   * does, instead of the TypeScript source through tsx. tsx keeps the transpiled source and
   * source maps of every module (about 25 MB for @kubernetes/client-node) in memory, which
   * matters for memory figures. @default false
   */
  readonly compiled?: boolean;
}

/** Compiles the controller as the Dockerfile does, into dist/controller/ (git-ignored). */
export function buildController(): void {
  const tsc = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc');
  execFileSync(tsc, ['-p', path.join(REPO_ROOT, 'controller', 'tsconfig.build.json')], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
}

/** The controller, run as its own node process exactly as `controller/main.ts` is run. */
export class ControllerProcess {
  private child?: ChildProcess;
  private exit?: string;
  healthPort = 0;

  constructor(private readonly options: ControllerOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    this.healthPort = await freePort();
    const o = this.options;
    const out = fs.openSync(o.logFile, 'a');
    // node with tsx's loader rather than the tsx CLI, so that this pid is the controller itself.
    this.exit = undefined;
    this.child = spawn(
      process.execPath,
      [
        ...(o.compiled
          ? [path.join(REPO_ROOT, 'dist', 'controller', 'main.js')]
          : ['--import', 'tsx', path.join(REPO_ROOT, 'controller', 'main.ts')]),
        `--kubeconfig=${o.kubeconfig}`,
        `--resync-seconds=${o.resyncSeconds ?? 30}`,
        `--workers=${o.workers ?? 4}`,
        `--health-port=${this.healthPort}`,
        '--health-bind=127.0.0.1',
        `--log-level=${o.logLevel ?? 'info'}`,
        '--rpc-timeout-ms=2000',
      ],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', out, out],
        // Never an in-cluster config, never a user's kubeconfig.
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          HOSTNAME: 'e2e-controller',
          NODE_OPTIONS: o.nodeOptions ?? CONTROLLER_NODE_OPTIONS,
          ...o.env,
        },
      },
    );
    fs.closeSync(out);
    const child = this.child;
    child.on(
      'exit',
      (code, signal) => (this.exit = signal ? `killed by ${signal}` : `exit ${code}`),
    );
    await this.waitReady();
  }

  /** Waits for /readyz: the informers have synced. */
  async waitReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exit) throw new Error(`controller ended (${this.exit}); log:\n${this.logTail()}`);
      try {
        const res = await fetch(`http://127.0.0.1:${this.healthPort}/readyz`, {
          signal: AbortSignal.timeout(2_000),
        });
        if (res.status === 200) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        throw new Error(`controller not ready after ${timeoutMs / 1000}s; log:\n${this.logTail()}`);
      }
      await sleep(200);
    }
  }

  /** Whether the process is still running. */
  running(): boolean {
    return this.child !== undefined && this.exit === undefined;
  }

  /** SIGTERM (the controller drains its queue), SIGKILL after 15 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || this.exit !== undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  }

  /** Resident set size in bytes, from /proc. */
  rssBytes(): number {
    const status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status);
    if (!kb) throw new Error('no VmRSS in /proc status');
    return Number(kb[1]) * 1024;
  }

  log(): string {
    return fs.existsSync(this.options.logFile) ? fs.readFileSync(this.options.logFile, 'utf8') : '';
  }

  logTail(lines = 40): string {
    return this.log().trimEnd().split('\n').slice(-lines).join('\n');
  }
}
