/**
 * The state file written next to each run, so that another node process can find and stop its
 * components: `testplane:down`, or the next plane cleaning up after a killed jest run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isAlive } from '../../base/cache';
import { REPO_ROOT } from '../../base/repo-root';
import { ProcessRecord, stopProcess } from './process';

export interface RunState {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly repo: string;
  /** The node process the plane dies with; absent when detached. */
  readonly ownerPid?: number;
  readonly processes: ProcessRecord[];
}

/** Each run's directory in the OS temp dir starts with this. */
export const RUN_PREFIX = 'testplane-';

// Clients first, so that none of them logs a dead apiserver on its way out.
const STOP_ORDER = ['kwok', 'kube-scheduler', 'kube-controller-manager', 'kube-apiserver', 'etcd'];

/** Where a run keeps its state file. */
export function runStateFile(dir: string): string {
  return path.join(dir, 'state.json');
}

export function readRunState(file: string): RunState {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as RunState;
}

export function writeRunState(state: RunState): void {
  fs.writeFileSync(runStateFile(state.dir), JSON.stringify(state, null, 2));
}

/**
 * Kills a plane's processes. Their directory is removed next, so a graceful end saves nothing
 * and would cost the apiserver's shutdown, about a second per plane.
 */
export async function stopAll(processes: readonly ProcessRecord[]): Promise<void> {
  const rank = (p: ProcessRecord) => STOP_ORDER.indexOf(p.name);
  for (const proc of [...processes].sort((a, b) => rank(a) - rank(b))) await stopProcess(proc, 0);
}

/**
 * Stops planes of this checkout whose owning process died without stopping them (a killed
 * jest run), and removes their directories. Planes of other checkouts are left alone.
 */
export async function stopAbandonedPlanes(): Promise<void> {
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (!name.startsWith(RUN_PREFIX)) continue;
    const dir = path.join(os.tmpdir(), name);
    let state: RunState;
    try {
      state = readRunState(runStateFile(dir));
    } catch {
      continue; // Not ours, or still being created.
    }
    if (state.repo !== REPO_ROOT || state.ownerPid === undefined || isAlive(state.ownerPid)) {
      continue;
    }
    process.stderr.write(`testplane: stopping abandoned plane in ${dir}\n`);
    await stopAll(state.processes);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
