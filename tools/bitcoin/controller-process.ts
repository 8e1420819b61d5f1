import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { REPO_ROOT } from '../base/repo-root';

/** A controller (`controller/main.ts`) running as its own process, with its health server. */
export interface ControllerProcess {
  readonly name: string;
  readonly pid: number;
  readonly healthPort: number;
  readonly logFile: string;
  /** Resolves with the exit code (null when killed by a signal) once the process has ended. */
  readonly exited: Promise<number | null>;
  /** Whether it is still running. */
  running(): boolean;
  /** GET a path of its health server. */
  get(p: string): Promise<{ status: number; body: string }>;
  /** The sum of a metric's series whose labels match `labels`, from its /metrics. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /** Send a signal to exactly this process. */
  kill(signal: NodeJS.Signals): void;
  log(): string;
}

export interface ControllerProcessOptions {
  /** For logs; also the POD_NAME, so its Lease identity starts with `<name>_`. */
  readonly name: string;
  readonly kubeconfig: string;
  readonly healthPort: number;
  readonly logDir: string;
  readonly args?: readonly string[];
}

/**
 * Starts `controller/main.ts` with tsx as a loader inside one node process (the tsx CLI would
 * fork a second one, and a SIGKILL would then miss the controller).
 */
export function startController(options: ControllerProcessOptions): ControllerProcess {
  const logFile = path.join(options.logDir, `controller-${options.name}.log`);
  const out = fs.openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(REPO_ROOT, 'controller/main.ts'),
      '--kubeconfig',
      options.kubeconfig,
      '--health-port',
      String(options.healthPort),
      '--health-bind',
      '127.0.0.1',
      ...(options.args ?? []),
    ],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', out, out],
      env: { ...process.env, KUBERNETES_SERVICE_HOST: '', POD_NAME: options.name },
    },
  );
  fs.closeSync(out);
  if (child.pid === undefined) throw new Error(`controller ${options.name} did not start`);
  let done = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      done = true;
      resolve(code);
    }),
  );
  const get = (p: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: options.healthPort, path: p, timeout: 5_000 }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on('error', reject);
    });
  return {
    name: options.name,
    pid: child.pid,
    healthPort: options.healthPort,
    logFile,
    exited,
    running: () => !done,
    get,
    metric: async (name, labels = {}) => {
      const { body } = await get('/metrics');
      return sumSeries(body, name, labels);
    },
    kill: (signal) => {
      if (!done) child.kill(signal);
    },
    log: () => fs.readFileSync(logFile, 'utf8'),
  };
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
