/**
 * Whether this process runs inside a network namespace made by `runInNetworkNamespace`, so that
 * code which dials pod IPs can refuse to run where those connections would leave the machine.
 */
import * as fs from 'node:fs';
import { Cidr, cidrContains, parseCidr } from './cidr';

/** Set by the runner inside the namespace: the CIDRs it routed to loopback, comma-separated. */
export const LOCAL_CIDRS_ENV = 'NETNS_LOCAL_CIDRS';

/**
 * The network interfaces of this process's namespace. /proc/self/net follows the reader's
 * namespace; /sys/class/net would show the namespace that mounted sysfs, i.e. the host's.
 */
export function networkInterfaces(): string[] {
  const lines = fs.readFileSync('/proc/self/net/dev', 'utf8').split('\n').slice(2);
  return lines.filter((l) => l.includes(':')).map((l) => l.split(':')[0].trim());
}

/**
 * The CIDRs routed local here, or undefined unless both signs agree: the runner's variable is
 * set (it is inherited, so alone it proves nothing) and the namespace has no interface but lo.
 */
export function namespaceLocalCidrs(
  env: NodeJS.ProcessEnv = process.env,
  interfaces: () => string[] = networkInterfaces,
): Cidr[] | undefined {
  const value = env[LOCAL_CIDRS_ENV];
  if (!value) return undefined;
  const names = interfaces();
  if (names.length !== 1 || names[0] !== 'lo') return undefined;
  return value.split(',').map((c) => parseCidr(c, LOCAL_CIDRS_ENV));
}

export function isInsideNetworkNamespace(env: NodeJS.ProcessEnv = process.env): boolean {
  return namespaceLocalCidrs(env) !== undefined;
}

/**
 * Throws unless this process is inside a runner namespace whose local CIDRs cover `range`.
 * `howToRun` says what the user should type instead, e.g. "npm run test:plane -- <file>".
 */
export function requireNetworkNamespace(
  range: string,
  howToRun: string,
  localCidrs: () => Cidr[] | undefined = namespaceLocalCidrs,
): void {
  const local = localCidrs();
  const wanted = parseCidr(range, 'range');
  if (!local) {
    throw new Error(
      `not inside a network namespace of tools/netns: addresses in ${range} would not answer ` +
        `here and connections to them could leave the machine; run ${howToRun}`,
    );
  }
  if (!local.some((c) => cidrContains(c, wanted))) {
    throw new Error(
      `this network namespace routes ${local.map((c) => c.text).join(', ')} locally, ` +
        `which does not cover ${range}; run ${howToRun}`,
    );
  }
}
