/**
 * `tsx tools/netns/run.ts [--local <cidr>]... -- <command> [args...]`: runs the command in its
 * own network namespace (see namespace.ts) and ends as it ends: same exit code, or killed by the
 * same signal. Signals sent to this process are passed on to the command.
 */
import * as path from 'node:path';
import { POD_RANGE } from '../testplane/plane';
import { parseCidr } from './cidr';
import { runInNetworkNamespace } from './namespace';

/**
 * The test plane's pod and node IPs. Its service range needs nothing: nobody dials a ClusterIP
 * here, as there is no kube-proxy and no webhook or aggregated API is registered.
 */
export const DEFAULT_LOCAL_CIDRS = [POD_RANGE];

// Passed on rather than acted on. SIGUSR1 is node's debugger signal, SIGKILL cannot be caught.
const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'];

const USAGE = `usage: tsx ${path.relative(process.cwd(), __filename)} [--local <cidr>]... -- <command> [args...]`;

export interface RunArguments {
  readonly localCidrs: readonly string[];
  readonly command: string;
  readonly args: readonly string[];
}

/** A command line this CLI does not take; exit 2, as for any usage error. */
export class UsageError extends Error {}

/** Parses the command line; throws the usage line for anything else. */
export function parseArguments(argv: readonly string[]): RunArguments {
  const localCidrs: string[] = [];
  let i = 0;
  for (; i < argv.length && argv[i] !== '--'; i++) {
    const value = argv[i + 1];
    if (argv[i] !== '--local' || value === undefined || value === '--') {
      throw new UsageError(`unexpected argument "${argv[i]}"; ${USAGE}`);
    }
    try {
      localCidrs.push(parseCidr(value, '--local').text);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    i++;
  }
  const [command, ...args] = argv.slice(i + 1);
  if (!command) throw new UsageError(`no command given; ${USAGE}`);
  return { localCidrs: localCidrs.length > 0 ? localCidrs : DEFAULT_LOCAL_CIDRS, command, args };
}

function main(argv: readonly string[]): void {
  const { localCidrs, command, args } = parseArguments(argv);
  const child = runInNetworkNamespace(command, args, { localCidrs });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of FORWARDED) process.on(signal, forward);
  child.on('error', (err) => {
    console.error(`${command}: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    for (const s of FORWARDED) process.off(s, forward);
    // Die of the same signal, so that our parent sees what happened to the command.
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`tools/netns: ${(err as Error).message}`);
    process.exit(err instanceof UsageError ? 2 : 1);
  }
}
