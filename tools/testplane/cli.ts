/**
 * `testplane:up` starts one plane that outlives this process and says where it is;
 * `testplane:down` stops it. Usage: `tsx tools/testplane/cli.ts up|down`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../base/repo-root';
import { binaries, VERSIONS } from './lib/binaries';
import { isRunning } from './lib/process';
import { readRunState, runStateFile, stopAll } from './lib/run-state';
import { startTestPlane } from './plane';

/** Run state of this checkout (`testplane:up`), in its git-ignored `.cache/`. */
const RUN_STATE_DIR = path.join(REPO_ROOT, '.cache', 'testplane');

// `testplane:up` leaves one plane running; this file says where it is.
const CURRENT = path.join(RUN_STATE_DIR, 'current.json');

async function up(): Promise<void> {
  if (fs.existsSync(CURRENT)) {
    const state = readRunState(CURRENT);
    if (state.processes.some((p) => isRunning(p.pid, p.binary))) {
      throw new Error(
        `a test plane is already up (${state.dir}); run \`npm run testplane:down\` first`,
      );
    }
    await down();
  }
  const plane = await startTestPlane({ detached: true });
  fs.mkdirSync(RUN_STATE_DIR, { recursive: true });
  fs.copyFileSync(runStateFile(plane.dir), CURRENT);
  console.log(`test plane ${VERSIONS.kubernetes} up in ${plane.dir}; pods get ${plane.podCidr}`);
  console.log(`KUBECONFIG=${plane.kubeconfig}`);
  // The binaries sit in the machine's cache, not in the checkout: say where this kubectl is.
  console.log(`kubectl of the same version: ${binaries().kubectl}`);
}

async function down(): Promise<void> {
  if (!fs.existsSync(CURRENT)) {
    console.log('no test plane is up');
    return;
  }
  const pointer = readRunState(CURRENT);
  // The run's own state file is newer if the apiserver was restarted since `up`.
  const ownState = runStateFile(pointer.dir);
  const state = fs.existsSync(ownState) ? readRunState(ownState) : pointer;
  await stopAll(state.processes);
  fs.rmSync(state.dir, { recursive: true, force: true });
  fs.rmSync(CURRENT);
  console.log(`test plane in ${state.dir} stopped`);
}

if (require.main === module) {
  const commands: Record<string, () => Promise<void>> = { up, down };
  const command = commands[process.argv[2] ?? ''];
  if (!command) {
    console.error(`usage: tsx ${path.relative(REPO_ROOT, __filename)} up|down`);
    process.exit(2);
  }
  command().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}
