import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  buildAtomically,
  buildInPlace,
  CACHE_ENV,
  cacheRoot,
  isComplete,
} from '../../../tools/base/cache';
import { REPO_ROOT } from '../../../tools/base/repo-root';

let tmp: string;
beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'setup-cache-'))));
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the cache root', () => {
  test('is ~/.cache/<package name> by default', () => {
    expect(cacheRoot({}, '/home/u')).toBe('/home/u/.cache/eks-bitcoin-platform');
  });

  test('follows XDG_CACHE_HOME, but not a relative one (the XDG spec says to ignore it)', () => {
    expect(cacheRoot({ XDG_CACHE_HOME: '/xdg' }, '/home/u')).toBe('/xdg/eks-bitcoin-platform');
    expect(cacheRoot({ XDG_CACHE_HOME: 'rel' }, '/home/u')).toBe(
      '/home/u/.cache/eks-bitcoin-platform',
    );
  });

  test(`is ${CACHE_ENV} when set, a relative one taken from the repository root`, () => {
    const env = { XDG_CACHE_HOME: '/xdg', [CACHE_ENV]: '/ci/cache' };
    expect(cacheRoot(env, '/home/u')).toBe('/ci/cache');
    expect(cacheRoot({ [CACHE_ENV]: '.cache' }, '/home/u')).toBe(path.join(REPO_ROOT, '.cache'));
  });
});

describe('an entry built atomically (the test-plane binaries)', () => {
  test('is complete once built, for its key only', async () => {
    const dir = path.join(tmp, 'etcd-v1');
    await buildAtomically(dir, 'v1', async (out) => fs.writeFileSync(path.join(out, 'etcd'), ''));
    expect(fs.readdirSync(tmp)).toEqual(['etcd-v1']);
    expect(isComplete(dir, 'v1')).toBe(true);
    expect(isComplete(dir, 'v2')).toBe(false);
  });

  test('an interrupted build leaves nothing that looks cached', async () => {
    const dir = path.join(tmp, 'etcd-v1');
    const failing = buildAtomically(dir, 'v1', async (out) => {
      fs.writeFileSync(path.join(out, 'etcd'), 'half');
      throw new Error('killed');
    });
    await expect(failing).rejects.toThrow('killed');
    expect(fs.readdirSync(tmp)).toEqual([]);
    expect(isComplete(dir, 'v1')).toBe(false);
  });

  test('a partial build of a dead process is removed, one of a live process is left alone', async () => {
    const dir = path.join(tmp, 'etcd-v1');
    const dead = `${dir}.partial-999999999`;
    const live = `${dir}.partial-${process.ppid}`;
    fs.mkdirSync(dead);
    fs.mkdirSync(live);
    await buildAtomically(dir, 'v1', async () => {});
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
  });

  test('a folder without the stamp (a build by hand, an older layout) is not complete', () => {
    const dir = path.join(tmp, 'etcd-v1');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'etcd'), '');
    expect(isComplete(dir, 'v1')).toBe(false);
  });
});

describe('an entry built in place (a venv, whose scripts name their own path)', () => {
  test('is stamped only once the build has finished', async () => {
    const dir = path.join(tmp, 'python', 'cfn-lint-abc');
    await buildInPlace(dir, 'abc', async (out) => {
      fs.mkdirSync(out);
      expect(isComplete(dir, 'abc')).toBe(false);
    });
    expect(isComplete(dir, 'abc')).toBe(true);
  });

  test('an interrupted install stays unstamped, and the next one starts from an empty folder', async () => {
    const dir = path.join(tmp, 'cfn-lint-abc');
    const failing = buildInPlace(dir, 'abc', async (out) => {
      fs.mkdirSync(out);
      fs.writeFileSync(path.join(out, 'half-installed'), '');
      throw new Error('pip was killed');
    });
    await expect(failing).rejects.toThrow('pip was killed');
    expect(isComplete(dir, 'abc')).toBe(false);
    await buildInPlace(dir, 'abc', async (out) => {
      expect(fs.existsSync(out)).toBe(false);
      fs.mkdirSync(out);
    });
    expect(fs.readdirSync(dir)).toEqual(['.complete']);
  });
});
