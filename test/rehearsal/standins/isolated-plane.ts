import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import type { ControlPlane } from '../../../tools/testplane/plane';
import { withControlPlane } from '../../controlplane/with-control-plane';

const POD_RANGE = '10.0.0.0/8';

export const howToRun = (file: string): string =>
  `unshare -n sh -c 'ip link set lo up && ip route add local ${POD_RANGE} dev lo && ` +
  `exec npx jest ${file}'`;

/** Only lo here, per this process's own namespace (/proc/self/net, not /sys). */
function onlyLoopback(): boolean {
  const lines = fs.readFileSync('/proc/self/net/dev', 'utf8').split('\n').slice(2);
  const names = lines.filter((l) => l.includes(':')).map((l) => l.split(':')[0].trim());
  return names.length === 1 && names[0] === 'lo';
}

function podRangeIsLocal(): boolean {
  const table = execFileSync('ip', ['route', 'show', 'table', 'local'], { encoding: 'utf8' });
  return table.split('\n').some((line) => line.startsWith(`local ${POD_RANGE} `));
}

/**
 * A control-plane suite that runs only inside a network namespace with nothing but lo and the
 * pod range routed local: the apiserver dials webhooks and aggregated APIs at pod IPs, which
 * elsewhere would leave the machine. Outside one it is skipped with a banner naming the command.
 */
export function withIsolatedPlane(
  name: string,
  file: string,
  body: (plane: () => ControlPlane) => void,
): void {
  if (onlyLoopback() && podRangeIsLocal()) {
    withControlPlane(name, body);
    return;
  }
  process.stderr.write(
    [
      '#'.repeat(78),
      `# SKIPPED: "${name}" needs an isolated network namespace. Run it with:`,
      `# ${howToRun(file)}`,
      '#'.repeat(78),
      '',
    ].join('\n'),
  );
  describe.skip(name, () => body(() => notIsolated(file)));
}

function notIsolated(file: string): never {
  throw new Error(`not in an isolated network namespace; run ${howToRun(file)}`);
}
