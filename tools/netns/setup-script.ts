/** The shell script that prepares a fresh network namespace before the command runs in it. */

/**
 * Brings loopback up and routes every address of `localCidrs` to it, so a socket can bind any
 * of them. `exec "$@"` then replaces the shell with the command, so that the command gets the
 * signals sent to this process; without arguments the script only sets up (the probe).
 */
export function setupScript(ip: string, localCidrs: readonly string[]): string {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    'set -e',
    `${quote(ip)} link set lo up`,
    ...localCidrs.map((cidr) => `${quote(ip)} route add local ${quote(cidr)} dev lo`),
    'if [ "$#" -gt 0 ]; then exec "$@"; fi',
  ].join('\n');
}
