import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';

/** A component process: enough to find it again (by pid) from another node process. */
export interface ProcessRecord {
  readonly name: string;
  readonly pid: number;
  readonly binary: string;
  readonly logFile: string;
}

export interface RunningProcess extends ProcessRecord {
  /** Why the process ended, or undefined while it runs. */
  exitReason(): string | undefined;
}

/**
 * Starts a binary in its own process group with output to `logFile`. The child is unref'd so
 * `testplane:up` can exit and leave it running; only its pid is used to stop it.
 */
export function startProcess(
  name: string,
  binary: string,
  args: readonly string[],
  logFile: string,
  env: NodeJS.ProcessEnv = {},
): RunningProcess {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(binary, args, {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, ...env },
  });
  fs.closeSync(out);
  let exitReason: string | undefined;
  child.on('error', (err) => (exitReason = `failed to start: ${err.message}`));
  child.on(
    'exit',
    (code, signal) => (exitReason = signal ? `killed by ${signal}` : `exit ${code}`),
  );
  child.unref();
  if (child.pid === undefined) {
    throw new Error(`${name}: could not start ${binary}`);
  }
  return { name, pid: child.pid, binary, logFile, exitReason: () => exitReason };
}

/**
 * True while `pid` is alive and still runs `binary`. Checking the command line guards against
 * a recycled pid: we only ever signal processes we started.
 */
export function isRunning(pid: number, binary: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === binary;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after `graceMs` (at once for 0); resolves once the process is gone. */
export async function stopProcess(record: ProcessRecord, graceMs = 10_000): Promise<void> {
  const gone = async (deadline: number): Promise<boolean> => {
    while (isRunning(record.pid, record.binary)) {
      if (Date.now() > deadline) return false;
      await sleep(50);
    }
    return true;
  };
  if (!isRunning(record.pid, record.binary)) return;
  if (graceMs > 0) {
    process.kill(record.pid, 'SIGTERM');
    if (await gone(Date.now() + graceMs)) return;
  }
  process.kill(record.pid, 'SIGKILL');
  if (!(await gone(Date.now() + 5_000))) {
    throw new Error(`${record.name} (pid ${record.pid}) survived SIGKILL`);
  }
}

export function logTail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Polls `ready` until it returns true. Fails early if `proc` dies, and always with the
 * component's log tail, since that is where the reason is.
 */
export async function waitUntil(
  what: string,
  proc: RunningProcess | undefined,
  ready: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    const exit = proc?.exitReason();
    if (exit !== undefined) {
      throw new Error(
        `${what}: ${proc!.name} ended (${exit}). Log tail:\n${logTail(proc!.logFile)}`,
      );
    }
    try {
      if (await ready()) return;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() > deadline) {
      const tail = proc ? `\n${proc.name} log tail:\n${logTail(proc.logFile)}` : '';
      const last = lastError ? ` (last error: ${lastError})` : '';
      throw new Error(`${what}: not ready after ${timeoutMs / 1000}s${last}${tail}`);
    }
    await sleep(200);
  }
}

/** A port the kernel considers free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
