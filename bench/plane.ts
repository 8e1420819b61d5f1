/**
 * A test plane's start and stop, as every plane suite pays them (`npm run bench:plane`): N planes
 * one after another, each started (etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
 * kwok and its nodes Ready), then its kube-apiserver restarted once, then the plane stopped.
 *
 * The baseline is that restart, in the same invocation on the same machine: kube-apiserver until
 * `/readyz` on an etcd already running, then kube-scheduler stopped and started again (as
 * `startApiserver()` does; about 0.3 s). No plane start can beat it; the ratio says what the rest
 * of the start costs on top. CPU is every component's, read from /proc once the plane is up. Prints figures; asserts
 * nothing.
 *
 * Env: BENCH_PLANES (5). Runs inside a network namespace of tools/netns (the npm script starts it
 * there), as the plane suites do.
 */
import * as fs from 'node:fs';
import { readRunState, runStateFile } from '../tools/testplane/lib/run-state';
import { startTestPlane, TestPlane } from '../tools/testplane/plane';
import { runOnTestPlane } from './on-test-plane';

const PLANES = Number(process.env.BENCH_PLANES ?? 5);

/** User and system CPU seconds a process has used so far (clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  await run();
  return Date.now() - started;
}

async function main(): Promise<void> {
  console.log(`bench:plane: ${PLANES} planes, one after another`);
  const starts: number[] = [];
  const cpus: number[] = [];
  const restarts: number[] = [];
  const stops: number[] = [];
  for (let i = 0; i < PLANES; i++) {
    let plane: TestPlane | undefined;
    try {
      starts.push(await timed(async () => (plane = await startTestPlane())));
      const { processes } = readRunState(runStateFile(plane!.dir));
      cpus.push(processes.reduce((sum, p) => sum + cpuSeconds(p.pid), 0));
      await plane!.stopApiserver();
      restarts.push(await timed(() => plane!.startApiserver()));
    } finally {
      // A plane left running would hold its processes until the next plane's start stops them.
      if (plane) stops.push(await timed(() => plane!.stop()));
    }
  }
  const start = median(starts);
  const restart = median(restarts);
  console.log(
    [
      `plane started: median ${seconds(start)} (${starts.map(seconds).join(', ')})`,
      `its processes' CPU when up: median ${median(cpus).toFixed(2)} s`,
      `baseline, kube-apiserver restarted (then kube-scheduler): median ${seconds(restart)} (${restarts.map(seconds).join(', ')})`,
      `ratio, plane start to the baseline: ${(start / restart).toFixed(2)}x`,
      `plane stopped: median ${seconds(median(stops))} (${stops.map(seconds).join(', ')})`,
    ].join('\n'),
  );
}

runOnTestPlane('bench:plane', main);
