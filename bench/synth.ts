import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/**
 * Wall time of `cdk synth` for the full app against a minimal aws-eks-v2 app, run alternately
 * in one invocation so that both see the same machine load. Prints medians and their ratio.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGET_RATIO = 1.3;
const root = join(__dirname, '..');

const apps = {
  full: 'npx tsx bin/app.ts',
  minimal: 'npx tsx bench/minimal-app.ts',
};

function synthSeconds(app: string): number {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-synth-'));
  const started = process.hrtime.bigint();
  const result = spawnSync('npx', ['cdk', 'synth', '-q', '--app', app, '-o', outdir], {
    cwd: root,
    encoding: 'utf8',
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  rmSync(outdir, { recursive: true, force: true });
  if (result.status !== 0) throw new Error(`synth of "${app}" failed:\n${result.stderr}`);
  return seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const times: Record<keyof typeof apps, number[]> = { full: [], minimal: [] };
synthSeconds(apps.minimal); // warm the tsx and npx caches so the first measured run is fair
for (let i = 0; i < RUNS; i++) {
  for (const name of Object.keys(apps) as (keyof typeof apps)[]) {
    times[name].push(synthSeconds(apps[name]));
  }
}
const full = median(times.full);
const minimal = median(times.minimal);
const ratio = full / minimal;
console.log(`cdk synth, median of ${RUNS} alternating runs`);
console.log(
  `  minimal aws-eks-v2 app: ${minimal.toFixed(2)} s  (${times.minimal.map((t) => t.toFixed(2)).join(', ')})`,
);
console.log(
  `  full app:               ${full.toFixed(2)} s  (${times.full.map((t) => t.toFixed(2)).join(', ')})`,
);
console.log(`  ratio full/minimal:     ${ratio.toFixed(2)}  (target <= ${TARGET_RATIO})`);
console.log(
  "  (the full app turns off aws-cdk-lib's built-in CloudFormation validator, which cfn-lint replaces in npm test; the minimal app keeps the library default)",
);
