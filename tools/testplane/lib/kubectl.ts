import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { binaries } from './binaries';

export class KubectlError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly stderr: string,
  ) {
    super(`kubectl ${args.join(' ')} failed: ${stderr.trim()}`);
  }
}

/**
 * Runs kubectl against `kubeconfig`; resolves with stdout, rejects with its stderr. Its
 * discovery cache goes next to the kubeconfig, so it leaves nothing in ~/.kube when the run's
 * directory is removed.
 */
export function kubectl(
  kubeconfig: string,
  args: readonly string[],
  stdin?: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      binaries().kubectl,
      [
        `--kubeconfig=${kubeconfig}`,
        `--cache-dir=${path.join(path.dirname(kubeconfig), 'kubectl-cache')}`,
        ...args,
      ],
      { maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => (err ? reject(new KubectlError(args, stderr)) : resolve(stdout)),
    );
    child.stdin?.end(stdin);
  });
}

/** `kubectl get -o json`, parsed. */
export async function getJson<T>(kubeconfig: string, args: readonly string[]): Promise<T> {
  return JSON.parse(await kubectl(kubeconfig, ['get', ...args, '-o', 'json'])) as T;
}
