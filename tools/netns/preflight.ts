/**
 * Before a command runs in a namespace: find `unshare` and `ip`, and try the namespace once, so
 * that a missing tool or a refused namespace is one clear line rather than the command's exit.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setupScript } from './setup-script';

/** Why a namespace cannot be made here, with the fix; the CLI prints only the message. */
export class NetworkNamespaceError extends Error {}

export interface NamespaceTools {
  readonly unshare: string;
  readonly ip: string;
  /** `-n` as root; `-rn` otherwise, which maps the user to root in a new user namespace. */
  readonly unshareFlags: readonly string[];
}

// `ip` lives in /sbin on Debian, which a non-root user's PATH often lacks.
const SBIN_DIRS = ['/usr/sbin', '/sbin'];

/** The first executable `name` on `searchPath` (a PATH string), or undefined. */
export function findExecutable(name: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

export function locateTools(
  env: NodeJS.ProcessEnv = process.env,
  sbinDirs: readonly string[] = SBIN_DIRS,
  isRoot = process.getuid?.() === 0,
): NamespaceTools {
  const searchPath = env.PATH ?? '';
  const unshare = findExecutable('unshare', searchPath);
  if (!unshare) {
    throw new NetworkNamespaceError(
      'unshare is not on PATH: install util-linux (Debian/Ubuntu: apt-get install util-linux)',
    );
  }
  const ip = findExecutable('ip', [searchPath, ...sbinDirs].join(path.delimiter));
  if (!ip) {
    throw new NetworkNamespaceError(
      'ip is not on PATH nor in /usr/sbin or /sbin: install iproute2 ' +
        '(Debian/Ubuntu: apt-get install iproute2)',
    );
  }
  return { unshare, ip, unshareFlags: isRoot ? ['-n'] : ['-rn'] };
}

/** Makes a throwaway namespace with the same setup; throws if unshare or ip refuse. */
export function probeNamespace(tools: NamespaceTools, localCidrs: readonly string[]): void {
  const result = spawnSync(
    tools.unshare,
    [...tools.unshareFlags, '/bin/sh', '-c', setupScript(tools.ip, localCidrs)],
    { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] },
  );
  if (result.status === 0) return;
  const reason =
    result.error?.message ?? (result.stderr.trim().split('\n')[0] || `exit ${result.status}`);
  const fix =
    tools.unshareFlags[0] === '-n'
      ? 'run with CAP_SYS_ADMIN (in a container: --cap-add SYS_ADMIN or --privileged)'
      : 'allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, and on ' +
        'Ubuntu kernel.apparmor_restrict_unprivileged_userns=0) or run as root';
  throw new NetworkNamespaceError(
    `cannot create a network namespace with \`unshare ${tools.unshareFlags.join(' ')}\` ` +
      `(${reason}): ${fix}`,
  );
}
