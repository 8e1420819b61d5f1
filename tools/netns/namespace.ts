/**
 * Runs a command in a fresh network namespace: only `lo`, up, with the given CIDRs routed to it.
 * Any address in them can be bound and answers; nothing outside can be reached, by construction.
 * A process outside cannot reach in either, so whatever talks to the command runs inside too.
 */
import { ChildProcess, spawn, StdioOptions } from 'node:child_process';
import { parseCidr } from './cidr';
import { LOCAL_CIDRS_ENV } from './detect';
import { locateTools, probeNamespace } from './preflight';
import { setupScript } from './setup-script';

export interface NamespaceOptions {
  /** IPv4 CIDRs routed to loopback inside, e.g. `['10.0.0.0/8']`. */
  readonly localCidrs: readonly string[];
  /** @default process.env, plus the runner's marker variable */
  readonly env?: NodeJS.ProcessEnv;
  /** @default 'inherit' */
  readonly stdio?: StdioOptions;
}

/**
 * Starts `command` inside a new namespace and returns its process. Throws a
 * `NetworkNamespaceError` at once if unshare or ip is missing or the namespace is refused.
 */
export function runInNetworkNamespace(
  command: string,
  args: readonly string[],
  options: NamespaceOptions,
): ChildProcess {
  const cidrs = options.localCidrs.map((c) => parseCidr(c, 'localCidrs').text);
  const env = { ...(options.env ?? process.env), [LOCAL_CIDRS_ENV]: cidrs.join(',') };
  const tools = locateTools(env);
  probeNamespace(tools, cidrs);
  // unshare execs the shell and the shell execs the command: one process, whose pid is ours.
  return spawn(
    tools.unshare,
    [
      ...tools.unshareFlags,
      '/bin/sh',
      '-c',
      setupScript(tools.ip, cidrs),
      'netns', // the script's $0, for the shell's own messages
      command,
      ...args,
    ],
    { env, stdio: options.stdio ?? 'inherit' },
  );
}
