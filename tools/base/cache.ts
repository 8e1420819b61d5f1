import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { name as PROJECT } from '../../package.json';
import { REPO_ROOT } from './repo-root';

/**
 * Points the cache somewhere else (a CI cache folder, or the repository's `.cache/`); a relative
 * path is resolved against the repository root.
 */
export const CACHE_ENV = 'EKS_BITCOIN_PLATFORM_CACHE';

/**
 * Where built tools live: once per machine, shared by every clone. CACHE_ENV wins, then
 * `$XDG_CACHE_HOME/<project>`, then `~/.cache/<project>`.
 */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  const override = env[CACHE_ENV];
  if (override) return path.resolve(REPO_ROOT, override);
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and is to be ignored.
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.cache');
  return path.join(base, PROJECT);
}

/** Written last into a finished entry; an entry without it (or with another key) is partial. */
const STAMP = '.complete';

/** True when `dir` was finished for exactly this `key` (the pinned versions it was built from). */
export function isComplete(dir: string, key: string): boolean {
  try {
    return fs.readFileSync(path.join(dir, STAMP), 'utf8') === key;
  } catch {
    return false;
  }
}

/**
 * Builds a relocatable entry (static binaries) into a temporary sibling, stamps it and renames
 * it into place, so an interrupted build never sits at `dir`. Leftovers of builds whose process
 * died are removed first; a concurrent build's are left alone.
 */
export async function buildAtomically(
  dir: string,
  key: string,
  build: (tmp: string) => Promise<void>,
): Promise<void> {
  removeAbandonedPartials(dir);
  const tmp = `${dir}${PARTIAL}${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  try {
    await build(tmp);
    fs.writeFileSync(path.join(tmp, STAMP), key);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Builds an entry that cannot move once made (a Python venv: its scripts name their own path)
 * where it will stay, and stamps it last. An unstamped entry is wiped and built again.
 */
export async function buildInPlace(
  dir: string,
  key: string,
  build: (dir: string) => Promise<void>,
): Promise<void> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  await build(dir);
  fs.writeFileSync(path.join(dir, STAMP), key);
}

const PARTIAL = '.partial-';

function removeAbandonedPartials(dir: string): void {
  const parent = path.dirname(dir);
  const prefix = `${path.basename(dir)}${PARTIAL}`;
  if (!fs.existsSync(parent)) return;
  for (const name of fs.readdirSync(parent)) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (pid !== process.pid && isAlive(pid)) continue;
    fs.rmSync(path.join(parent, name), { recursive: true, force: true });
  }
}

/** True while a process with this pid exists (EPERM: it does, but is not ours to signal). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
