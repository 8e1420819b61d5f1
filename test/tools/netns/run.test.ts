/** The CLI, `tsx tools/netns/run.ts`: arguments, stdio, exit codes, signals and its errors. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../../../tools/base/repo-root';

const RUN = path.join(REPO_ROOT, 'tools', 'netns', 'run.ts');

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts the CLI with node and tsx's loader (not the tsx CLI, which would add a process in
 * between), so that the pid we signal is the runner's own.
 */
function cli(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', RUN, ...args], {
    cwd: REPO_ROOT,
    env: options.env ?? process.env,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(options.input ?? '');
  const ended = new Promise<Ended>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, ended, stdout: () => stdout };
}

const run = (args: string[], options?: Parameters<typeof cli>[1]) => cli(args, options).ended;

describe('tools/netns/run.ts', () => {
  test('passes stdin, stdout and stderr through', async () => {
    const ended = await run(['--', 'sh', '-c', 'cat; echo oops >&2'], { input: 'hello\n' });
    expect(ended).toEqual({ code: 0, signal: null, stdout: 'hello\n', stderr: 'oops\n' });
  });

  test('routes 10.0.0.0/8 local by default, and exactly the --local ranges when given', async () => {
    const cidrs = ['--', 'sh', '-c', 'echo $NETNS_LOCAL_CIDRS'];
    expect((await run(cidrs)).stdout).toBe('10.0.0.0/8\n');
    const two = ['--local', '10.7.0.0/16', '--local', '172.20.0.0/16', ...cidrs];
    expect((await run(two)).stdout).toBe('10.7.0.0/16,172.20.0.0/16\n');
  });

  test('exits with the exit code of the command', async () => {
    expect((await run(['--', 'sh', '-c', 'exit 7'])).code).toBe(7);
  });

  test('dies of the signal that killed the command', async () => {
    expect((await run(['--', 'sh', '-c', 'kill -TERM $$'])).signal).toBe('SIGTERM');
  });

  test('passes the signals it gets on to the command', async () => {
    const trap =
      'process.on("SIGTERM", () => { console.log("got SIGTERM"); process.exit(3); });' +
      'console.log("ready"); setInterval(() => {}, 1000);';
    const running = cli(['--', process.execPath, '-e', trap]);
    await waitFor(() => running.stdout().includes('ready'));
    running.child.kill('SIGTERM');
    const ended = await running.ended;
    expect({ code: ended.code, stdout: ended.stdout }).toEqual({
      code: 3,
      stdout: 'ready\ngot SIGTERM\n',
    });
  });

  test('says in one line which package to install when unshare is missing', async () => {
    const ended = await run(['--', 'true'], { env: { PATH: '' } });
    expect({ code: ended.code, stderr: ended.stderr }).toEqual({
      code: 1,
      stderr:
        'tools/netns: unshare is not on PATH: install util-linux (Debian/Ubuntu: apt-get install util-linux)\n',
    });
  });

  test('says in one line what to change when the namespace is refused', async () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'netns-refused-'));
    try {
      // Stands in for unshare where namespaces are not permitted, as util-linux reports it.
      fs.writeFileSync(
        path.join(bin, 'unshare'),
        '#!/bin/sh\necho "unshare: unshare failed: Operation not permitted" >&2\nexit 1\n',
        { mode: 0o755 },
      );
      const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` };
      const ended = await run(['--', 'true'], { env });
      expect(ended.code).toBe(1);
      expect(ended.stderr.trimEnd().split('\n')).toEqual([
        expect.stringMatching(
          /^tools\/netns: cannot create a network namespace with `unshare -r?n` \(unshare: unshare failed: Operation not permitted\): (run with CAP_SYS_ADMIN|allow unprivileged user namespaces)/,
        ),
      ]);
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  test.each([
    [
      ['--local', '10.0.0.1/8', '--', 'true'],
      /--local must be a network address, got "10\.0\.0\.1\/8"/,
    ],
    [
      ['--local', 'ten', '--', 'true'],
      /--local must be an IPv4 CIDR such as 10\.0\.0\.0\/8, got "ten"/,
    ],
    [['--wat', '--', 'true'], /unexpected argument "--wat"; usage: /],
    [['--local'], /unexpected argument "--local"; usage: /],
    [['--'], /no command given; usage: /],
    [[], /no command given; usage: /],
  ])('refuses %j with exit 2 and one line', async (args, message) => {
    const ended = await run(args);
    expect(ended.code).toBe(2);
    expect(ended.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(message)]);
  });
});

async function waitFor(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
