/**
 * The fork server that runs the kubectl handler, with stand-in handlers: each event gets its own
 * environment, output and result, events run side by side, and a timeout kills everything an
 * event started.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HandlerRequest, runInHandlerServer } from '../../../tools/rehearsal/handler-server';
import { venvOf } from '../../../tools/setup/python-tools';

/** A handler as the server imports it: `index.handler(event, context)`. */
const HANDLER = `
import os, subprocess, time

seen_at_import = os.environ.get("MARK")

def handler(event, context):
    print("event", event["name"], "imported with", seen_at_import)
    if event["name"] == "raise":
        raise Exception(b"kubectl said no")
    if event["name"] == "hang":
        with open(os.environ["PID_FILE"], "w") as f:
            f.write(str(subprocess.Popen(["sleep", "300"]).pid))
        time.sleep(300)
    if event["name"] == "wait":
        while not os.path.exists(os.environ["SIGNAL_FILE"]):
            time.sleep(0.05)
    if event["name"] == "signal":
        open(os.environ["SIGNAL_FILE"], "w").close()
`;

const python = venvOf('kubectl-handler').executable;
let dir: string;
let count = 0;

/** Writes an event and returns the request for it, with `env` as its whole environment. */
function request(name: string, env: Record<string, string> = {}): HandlerRequest {
  const base = path.join(dir, `${++count}-${name}`);
  fs.writeFileSync(`${base}.event.json`, JSON.stringify({ name }));
  return {
    handlerDir: path.join(dir, 'handler'),
    event: `${base}.event.json`,
    result: `${base}.result.json`,
    log: `${base}.log`,
    env: { PATH: '/usr/bin:/bin', ...env },
  };
}

const read = (file: string) => fs.readFileSync(file, 'utf8');
/** Running, not gone and not a zombie nobody has reaped yet. */
const running = (pid: number) => {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0] !== 'Z';
  } catch {
    return false;
  }
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handler-server-'));
  fs.mkdirSync(path.join(dir, 'handler'));
  fs.writeFileSync(path.join(dir, 'handler', 'index.py'), HANDLER);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('each event imports the handler afresh with its own environment, output and result', async () => {
  const first = request('a', { MARK: 'first' });
  const second = request('b', { MARK: 'second' });
  expect(await runInHandlerServer(python, first, 60_000)).toEqual({ code: 0, timedOut: false });
  expect(await runInHandlerServer(python, second, 60_000)).toEqual({ code: 0, timedOut: false });
  expect(read(first.log)).toContain('event a imported with first');
  expect(read(second.log)).toContain('event b imported with second');
  expect(JSON.parse(read(second.result))).toEqual({});
});

test("a handler's exception is its result, its bytes as text", async () => {
  const raising = request('raise');
  expect(await runInHandlerServer(python, raising, 60_000)).toEqual({ code: 0, timedOut: false });
  expect(JSON.parse(read(raising.result))).toEqual({ error: 'kubectl said no' });
});

test('events run side by side: one waits for what a later one does', async () => {
  const env = { SIGNAL_FILE: path.join(dir, 'signal') };
  const waiting = runInHandlerServer(python, request('wait', env), 60_000);
  const signalling = runInHandlerServer(python, request('signal', env), 60_000);
  expect(await Promise.all([waiting, signalling])).toEqual([
    { code: 0, timedOut: false },
    { code: 0, timedOut: false },
  ]);
});

test('a timeout kills the event and what it started, and leaves no result', async () => {
  const hanging = request('hang', { PID_FILE: path.join(dir, 'sleep.pid') });
  expect(await runInHandlerServer(python, hanging, 2_000)).toEqual({
    code: null,
    timedOut: true,
  });
  expect(fs.existsSync(hanging.result)).toBe(false);
  const sleeper = Number(read(path.join(dir, 'sleep.pid')));
  // Killed with its group; the signal may take a moment to land.
  for (let i = 0; i < 50 && running(sleeper); i++) await new Promise((r) => setTimeout(r, 100));
  expect(running(sleeper)).toBe(false);
});
