import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findExecutable, locateTools } from '../../../tools/netns/preflight';
import { setupScript } from '../../../tools/netns/setup-script';

let tmp: string;
beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netns-preflight-'))));
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function executable(dir: string, name: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o755 });
  return file;
}

describe('finding the tools', () => {
  test('takes the first executable file on the search path', () => {
    fs.mkdirSync(path.join(tmp, 'a', 'tool'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'b-tool'), '', { mode: 0o644 });
    const found = executable(path.join(tmp, 'c'), 'tool');
    executable(path.join(tmp, 'd'), 'tool');
    const searchPath = ['', path.join(tmp, 'a'), path.join(tmp, 'c'), path.join(tmp, 'd')].join(
      path.delimiter,
    );
    expect(findExecutable('tool', searchPath)).toBe(found);
    expect(findExecutable('other', searchPath)).toBeUndefined();
  });

  test('finds ip in an sbin folder missing from PATH, as for a non-root user on Debian', () => {
    const unshare = executable(path.join(tmp, 'bin'), 'unshare');
    const ip = executable(path.join(tmp, 'sbin'), 'ip');
    expect(locateTools({ PATH: path.join(tmp, 'bin') }, [path.join(tmp, 'sbin')], false)).toEqual({
      unshare,
      ip,
      unshareFlags: ['-rn'],
    });
  });

  test('uses plain -n as root, without a user namespace', () => {
    executable(path.join(tmp, 'bin'), 'unshare');
    executable(path.join(tmp, 'bin'), 'ip');
    expect(locateTools({ PATH: path.join(tmp, 'bin') }, [], true).unshareFlags).toEqual(['-n']);
  });

  test('names the package to install when unshare is missing', () => {
    expect(() => locateTools({ PATH: tmp }, [], true)).toThrow(
      'unshare is not on PATH: install util-linux (Debian/Ubuntu: apt-get install util-linux)',
    );
  });

  test('names the package to install when ip is missing', () => {
    executable(tmp, 'unshare');
    expect(() => locateTools({ PATH: tmp }, [], true)).toThrow(
      'ip is not on PATH nor in /usr/sbin or /sbin: install iproute2 (Debian/Ubuntu: apt-get install iproute2)',
    );
  });
});

describe('the setup script', () => {
  test('brings lo up, routes each CIDR local, then replaces itself with the command', () => {
    expect(setupScript('/usr/sbin/ip', ['10.0.0.0/8', '172.20.0.0/16']).split('\n')).toEqual([
      'set -e',
      "'/usr/sbin/ip' link set lo up",
      "'/usr/sbin/ip' route add local '10.0.0.0/8' dev lo",
      "'/usr/sbin/ip' route add local '172.20.0.0/16' dev lo",
      'if [ "$#" -gt 0 ]; then exec "$@"; fi',
    ]);
  });
});
