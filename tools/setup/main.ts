/**
 * Gets what the checks need, once per machine: `npm test` runs it first (pretest).
 *
 *   tsx tools/setup/main.ts [test|testplane|checkov|rehearsal]...   build or install what is missing
 *   tsx tools/setup/main.ts --print <python tool>            the same, then print its path
 *
 * Progress goes to stderr; a missing prerequisite is one line naming it and how to get it.
 */
import { SKIP_ENV } from '../testplane/skip';
import { cacheRoot } from '../base/cache';
import { kubectlLayerSteps } from './kubectl-layer';
import { MissingPrerequisite, requireOpenssl } from './prerequisites';
import { duration, Progress } from './progress';
import { PYTHON_TOOLS, PythonTool, venvOf } from './python-tools';
import { CommandFailed } from './run-logged';
import { testPlaneSteps, pythonToolSteps, Step } from './steps';

const TARGETS: Record<string, () => Step[]> = {
  test: () => [
    ...(process.env[SKIP_ENV] === '1' ? skippedTestPlane() : testPlaneSteps()),
    ...pythonToolSteps('cfn-lint'),
    ...pythonToolSteps('kubernetes-validate'),
    ...rehearsalSteps(),
  ],
  testplane: testPlaneSteps,
  checkov: () => pythonToolSteps('checkov'),
  rehearsal: () => [...testPlaneSteps(), ...rehearsalSteps()],
};

async function main(args: readonly string[]): Promise<void> {
  const print = args[0] === '--print' ? args[1] : undefined;
  if (print !== undefined && !(print in PYTHON_TOOLS)) {
    throw new Usage(`--print takes one of ${Object.keys(PYTHON_TOOLS).join(', ')}`);
  }
  const targets = print !== undefined ? [] : args.length > 0 ? args : ['test'];
  const unknown = targets.filter((target) => !(target in TARGETS));
  if (unknown.length > 0) {
    throw new Usage(`unknown target ${unknown[0]} (${Object.keys(TARGETS).join(', ')})`);
  }
  const started = Date.now();
  const steps = [
    ...targets.flatMap((target) => TARGETS[target]()),
    ...(print !== undefined ? pythonToolSteps(print as PythonTool) : []),
  ];
  // The plane's certificates need openssl at test time, even with everything cached.
  const checks = new Set([
    ...(targets.includes('test') ? [requireOpenssl] : []),
    ...steps.map((s) => s.requires),
  ]);
  const missing = [...checks].flatMap((check) => missingPrerequisite(check));
  if (missing.length > 0) {
    missing.forEach(log);
    process.exitCode = 1;
    return;
  }
  if (steps.length === 0) {
    if (print === undefined) {
      log(`everything is in ${cacheRoot()} (checked in ${duration(Date.now() - started)})`);
    }
  } else {
    const total = steps.reduce((sum, step) => sum + step.expectedMs, 0);
    log(`building into ${cacheRoot()}, once per machine (~${duration(total)} expected)`);
    const progress = new Progress(process.stderr, steps.length, total);
    for (const step of steps) await progress.run(step.label, step.expectedMs, () => step.run());
  }
  if (print !== undefined) process.stdout.write(`${venvOf(print as PythonTool).executable}\n`);
}

/** What `npm run rehearse` adds to the plane: the handler's python and the layer's binaries. */
function rehearsalSteps(): Step[] {
  return [...pythonToolSteps('kubectl-handler'), ...kubectlLayerSteps()];
}

function skippedTestPlane(): Step[] {
  const banner = '#'.repeat(78);
  process.stderr.write(
    `${banner}\n# ${SKIP_ENV}=1: the test plane is not built and its suites will be skipped.\n${banner}\n`,
  );
  return [];
}

/** The check's message when it fails, so every missing prerequisite is named in one run. */
function missingPrerequisite(check: () => void): string[] {
  try {
    check();
    return [];
  } catch (err) {
    if (err instanceof MissingPrerequisite) return [err.message];
    throw err;
  }
}

class Usage extends Error {}

function log(line: string): void {
  process.stderr.write(`setup: ${line}\n`);
}

main(process.argv.slice(2)).catch((err: Error) => {
  if (!(err instanceof Usage || err instanceof CommandFailed)) throw err;
  log(err.message);
  process.exitCode = 1;
});
