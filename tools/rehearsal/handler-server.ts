/**
 * The client of handler-server.py: one Python process per interpreter, started on first use,
 * that forks a child per handler event. A fresh interpreter per event spent a fifth of a CPU
 * second importing boto3 before the handler did anything; a rehearsal runs hundreds of events.
 */
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import * as path from 'node:path';
import { createInterface } from 'node:readline';

const SERVER = path.join(__dirname, 'handler-server.py');

export interface HandlerRequest {
  readonly handlerDir: string;
  /** The event's JSON file. */
  readonly event: string;
  /** Where the child writes `{}` or `{"error": …}`. */
  readonly result: string;
  /** Where the child's stdout and stderr go. */
  readonly log: string;
  /** The child's whole environment. */
  readonly env: Readonly<Record<string, string>>;
}

export interface HandlerExit {
  /** The child's exit code; null when it was killed. */
  readonly code: number | null;
  readonly timedOut: boolean;
}

interface Pending {
  pid?: number;
  timedOut: boolean;
  resolve: (exit: HandlerExit) => void;
  reject: (err: Error) => void;
}

type Reply = { id: number; pid: number } | { id: number; exit: number };

class HandlerServer {
  private readonly process: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private ended?: string;
  private stderr = '';

  constructor(python: string) {
    this.process = spawn(python, [SERVER], { env: { PATH: '/usr/bin:/bin' } });
    this.process.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    createInterface({ input: this.process.stdout }).on('line', (line) =>
      this.onReply(JSON.parse(line) as Reply),
    );
    this.process.on('exit', (code, signal) => {
      this.ended = `the handler server ended (${signal ?? `exit ${code}`}): ${this.stderr.trim()}`;
      for (const p of this.pending.values()) p.reject(new Error(this.ended));
      this.pending.clear();
      servers.delete(python);
    });
    this.holdProcess(false);
  }

  /** Runs one event; after `timeoutMs` its child and everything it started are killed. */
  run(request: HandlerRequest, timeoutMs: number): Promise<HandlerExit> {
    if (this.ended) return Promise.reject(new Error(this.ended));
    const id = ++this.nextId;
    const exited = new Promise<HandlerExit>((resolve, reject) => {
      this.pending.set(id, { timedOut: false, resolve, reject });
    });
    this.holdProcess(true);
    this.process.stdin.write(`${JSON.stringify({ id, ...request })}\n`);
    const timer = setTimeout(() => {
      const p = this.pending.get(id);
      if (!p?.pid) return;
      p.timedOut = true;
      killGroup(p.pid);
    }, timeoutMs);
    return exited.finally(() => {
      clearTimeout(timer);
      if (this.pending.size === 0) this.holdProcess(false);
    });
  }

  private onReply(reply: Reply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    if ('pid' in reply) {
      p.pid = reply.pid;
      return;
    }
    this.pending.delete(reply.id);
    p.resolve({ code: reply.exit < 0 ? null : reply.exit, timedOut: p.timedOut });
  }

  /** While events run it keeps node alive; idle, it lets node exit (and its stdin close). */
  private holdProcess(hold: boolean): void {
    const { stdin, stdout, stderr } = this.process;
    for (const handle of [this.process, ...[stdin, stdout, stderr].map((s) => s as Socket)]) {
      if (hold) handle.ref();
      else handle.unref();
    }
  }
}

/**
 * SIGKILL to the child's process group, or to the child alone if it has yet to make its group;
 * one that has just ended (its exit not yet reported) is no error.
 */
function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
}

const servers = new Map<string, HandlerServer>();

/** Runs one handler event in a child of `python`'s fork server. */
export function runInHandlerServer(
  python: string,
  request: HandlerRequest,
  timeoutMs: number,
): Promise<HandlerExit> {
  let server = servers.get(python);
  if (!server) {
    server = new HandlerServer(python);
    servers.set(python, server);
  }
  return server.run(request, timeoutMs);
}
