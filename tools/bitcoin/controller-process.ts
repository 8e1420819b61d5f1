/**
 * The bitcoin controller (`controller/main.ts`) run as its own process: the one launcher of the
 * plane suites, the end-to-end benchmark and the rehearsal.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ENV } from '../../controller/api';
import { CONTROLLER_NODE_OPTIONS } from '../../k8s/bitcoin-operator-chart';
import { REPO_ROOT } from '../base/repo-root';
import { freePort, logTail, RunningProcess, waitUntil } from '../testplane/lib/process';

export interface ControllerProcessOptions {
  /**
   * For logs and errors; also its POD_NAME and HOSTNAME, so that its Lease identity starts with
   * `<name>_`.
   */
  readonly name: string;
  /** Where its stdout and stderr go (appended). */
  readonly logFile: string;
  /** The kubeconfig it uses, as $KUBECONFIG: never an in-cluster config, never a user's. */
  readonly kubeconfig: string;
  /**
   * Port of its health server, which the launcher reaches at 127.0.0.1: passed as
   * `--health-port` with `--health-bind=127.0.0.1`, or with `argsAsGiven` the port those args
   * serve on.
   * @default - a free port (required with `argsAsGiven`)
   */
  readonly healthPort?: number;
  /**
   * The address the launcher reaches the health server at: with `argsAsGiven`, the one those
   * args bind.
   * @default '127.0.0.1'
   */
  readonly healthHost?: string;
  /** The health server's path that answers 200 once it is ready. @default '/readyz' */
  readonly readyPath?: string;
  /** `--resync-seconds`. @default 30 */
  readonly resyncSeconds?: number;
  /** `--workers`. @default 4 */
  readonly workers?: number;
  /** `--log-level`. @default 'info' */
  readonly logLevel?: string;
  /** `--rpc-timeout-ms`: fake bitcoinds answer at once, a dead one shows sooner. @default 2000 */
  readonly rpcTimeoutMs?: number;
  /** More flags, after those of the options above (e.g. `--leader-elect`). @default - none */
  readonly args?: readonly string[];
  /**
   * `args` are the whole command line, as a Deployment's container gives them: none of the flags
   * above is added (so none of their options may be set).
   * @default false
   */
  readonly argsAsGiven?: boolean;
  /** More environment, as a Deployment sets it (e.g. the namespaces to watch). @default - none */
  readonly env?: Readonly<Record<string, string>>;
  /** NODE_OPTIONS of the process. @default CONTROLLER_NODE_OPTIONS, as the chart sets */
  readonly nodeOptions?: string;
  /**
   * Run `dist/controller/main.js` (see `buildController()`) with plain node, as the image does,
   * instead of the TypeScript source through tsx. tsx keeps the transpiled source and source maps
   * of every module (about 25 MB for @kubernetes/client-node) in memory, which matters for memory
   * figures.
   * @default false
   */
  readonly compiled?: boolean;
  /** How long `start()` waits for readiness. @default 60_000 */
  readonly startTimeoutMs?: number;
}

/** The options that become flags, which `argsAsGiven` leaves to its args. */
const FLAG_OPTIONS = ['resyncSeconds', 'workers', 'logLevel', 'rpcTimeoutMs'] as const;

const COMPILED_MAIN = path.join(REPO_ROOT, 'dist', 'controller', 'main.js');

/** Compiles the controller as the Dockerfile does, into dist/controller/ (git-ignored). */
export function buildController(): void {
  const tsc = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc');
  execFileSync(tsc, ['-p', path.join(REPO_ROOT, 'controller', 'tsconfig.build.json')], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
}

/**
 * One controller process and its health server. `start()` launches it with node itself, tsx as
 * a loader rather than the tsx CLI (which would fork a second process that a SIGKILL misses).
 */
export class ControllerProcess implements RunningProcess {
  readonly name: string;
  readonly logFile: string;
  /** The node binary that runs it. */
  readonly binary = process.execPath;
  private child?: ChildProcess;
  private port?: number;
  private ended?: string;
  private exit?: Promise<number | null>;

  constructor(private readonly options: ControllerProcessOptions) {
    if (options.argsAsGiven) {
      const set = FLAG_OPTIONS.filter((key) => options[key] !== undefined);
      if (set.length > 0) {
        throw new Error(`${set.join(', ')} cannot be set with argsAsGiven, which adds no flags`);
      }
      if (options.healthPort === undefined) {
        throw new Error('healthPort must be set with argsAsGiven: the port those args serve on');
      }
    }
    this.name = options.name;
    this.logFile = options.logFile;
  }

  /** Its process id, once started. */
  get pid(): number {
    return this.started().pid!;
  }

  /** The port of its health server, once started. */
  get healthPort(): number {
    if (this.port === undefined) throw new Error(`controller ${this.name} has not started`);
    return this.port;
  }

  /** Resolves with the exit code (null when killed by a signal) once the process has ended. */
  get exited(): Promise<number | null> {
    this.started();
    return this.exit!;
  }

  /** Spawns it and waits until its health server says it is ready. */
  async start(): Promise<void> {
    if (this.child) throw new Error(`controller ${this.name} was already started`);
    const o = this.options;
    this.port = o.healthPort ?? (await freePort());
    const out = fs.openSync(o.logFile, 'a');
    const child = spawn(process.execPath, [...this.program(), ...this.flags()], {
      cwd: REPO_ROOT,
      stdio: ['ignore', out, out],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        HOSTNAME: o.name,
        [ENV.podName]: o.name,
        NODE_OPTIONS: o.nodeOptions ?? CONTROLLER_NODE_OPTIONS,
        ...o.env,
        KUBECONFIG: o.kubeconfig,
      },
    });
    fs.closeSync(out);
    this.child = child;
    this.exit = new Promise((resolve) => {
      child.once('error', (err) => {
        this.ended = `failed to start: ${err.message}`;
        resolve(null);
      });
      child.once('exit', (code, signal) => {
        this.ended = signal ? `killed by ${signal}` : `exit ${code}`;
        resolve(code);
      });
    });
    const readyPath = o.readyPath ?? '/readyz';
    await waitUntil(
      `controller ${this.name} at ${this.healthAddress()}${readyPath}`,
      this,
      async () => (await this.get(readyPath)).status === 200,
      o.startTimeoutMs ?? 60_000,
    );
  }

  /** Why it ended, or undefined while it runs (or before it starts). */
  exitReason(): string | undefined {
    return this.ended;
  }

  running(): boolean {
    return this.child !== undefined && this.ended === undefined;
  }

  /** GET a path of its health server. */
  async get(urlPath: string): Promise<{ status: number; body: string }> {
    const res = await fetch(`http://${this.healthAddress()}${urlPath}`, {
      signal: AbortSignal.timeout(5_000),
    });
    return { status: res.status, body: await res.text() };
  }

  private healthAddress(): string {
    return `${this.options.healthHost ?? '127.0.0.1'}:${this.healthPort}`;
  }

  /** The sum of a metric's series whose labels include `labels`, from its /metrics. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    return sumSeries((await this.get('/metrics')).body, name, labels);
  }

  /** Sends a signal to exactly this process, while it runs. */
  kill(signal: NodeJS.Signals): void {
    if (this.running()) this.child!.kill(signal);
  }

  /** SIGTERM (the controller drains its queue), SIGKILL after 15 s; resolves once it is gone. */
  async stop(): Promise<void> {
    if (!this.running()) return;
    this.kill('SIGTERM');
    const killer = setTimeout(() => this.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(killer);
  }

  /** Resident set size in bytes, from /proc. */
  rssBytes(): number {
    const status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status);
    if (!kb) throw new Error(`no VmRSS in /proc/${this.pid}/status`);
    return Number(kb[1]) * 1024;
  }

  log(): string {
    return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
  }

  logTail(lines = 40): string {
    return logTail(this.logFile, lines);
  }

  private started(): ChildProcess {
    if (!this.child) throw new Error(`controller ${this.name} has not started`);
    return this.child;
  }

  /** Node's arguments before the controller's own. */
  private program(): string[] {
    return this.options.compiled
      ? [COMPILED_MAIN]
      : ['--import', 'tsx', path.join(REPO_ROOT, 'controller', 'main.ts')];
  }

  private flags(): string[] {
    const o = this.options;
    if (o.argsAsGiven) return [...(o.args ?? [])];
    return [
      `--health-port=${this.healthPort}`,
      '--health-bind=127.0.0.1',
      `--resync-seconds=${o.resyncSeconds ?? 30}`,
      `--workers=${o.workers ?? 4}`,
      `--log-level=${o.logLevel ?? 'info'}`,
      `--rpc-timeout-ms=${o.rpcTimeoutMs ?? 2000}`,
      ...(o.args ?? []),
    ];
  }
}

/** Sum of the samples of `name` in Prometheus text whose labels include `labels`. */
function sumSeries(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      have[pair[1]] = pair[2];
    }
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}
