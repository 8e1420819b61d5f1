import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/**
 * Wall and CPU time of `cdk synth` for the full app against a minimal aws-eks-v2 app, like for
 * like: both go through the same CLI call and the same `npx tsx` app command that `cdk.json`
 * uses, each into a fresh output directory, with aws-cdk-lib's built-in CloudFormation validator
 * off on both sides (bin/app.ts turns it off because cfn-lint checks the templates in
 * `npm test`). Runs alternate so that both see the same machine load; prints medians, spread and
 * the ratios. CPU time is the steadier figure when other work shares the machine.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const TARGET_RATIO = 1.2;
const root = join(__dirname, '..');

const apps = {
  minimal: 'bench/minimal-app.ts',
  full: 'bin/app.ts',
};
type AppName = keyof typeof apps;

/**
 * CPU seconds used so far by this process's finished children and their descendants (Linux's
 * cutime + cstime); NaN elsewhere.
 */
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
function childCpuSeconds(): number {
  if (!existsSync('/proc/self/stat')) return NaN;
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // Fields 16 and 17 of proc(5); the split leaves field 3 at index 0.
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
}

interface Sample {
  readonly wall: number;
  readonly cpu: number;
}

function synth(entry: string): Sample {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-synth-'));
  const cpuBefore = childCpuSeconds();
  const started = process.hrtime.bigint();
  const result = spawnSync(
    'npx',
    ['cdk', 'synth', '-q', '--app', `npx tsx ${entry}`, '-o', outdir],
    {
      cwd: root,
      encoding: 'utf8',
      // Read by aws-cdk-lib in the app process, so it holds for both apps whatever their code says.
      env: { ...process.env, CDK_VALIDATION: 'false' },
    },
  );
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = childCpuSeconds() - cpuBefore;
  rmSync(outdir, { recursive: true, force: true });
  if (result.status !== 0) throw new Error(`synth of ${entry} failed:\n${result.stderr}`);
  return { wall, cpu };
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => {
  const s = sorted(xs);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const s2 = (x: number) => x.toFixed(2);

function commit(): string {
  const git = (...args: string[]) =>
    spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout.trim();
  const dirty = git('status', '--porcelain', '--untracked-files=no')
    ? ' (uncommitted changes)'
    : '';
  return `${git('rev-parse', '--short', 'HEAD') || 'unknown'}${dirty}`;
}

const names = Object.keys(apps) as AppName[];
// The first synth of each app fills tsx's transpile cache and npx's lookup; not measured.
for (const name of names) synth(apps[name]);
const samples: Record<AppName, Sample[]> = { minimal: [], full: [] };
// The order flips every round, so that a load that rises or falls during the run favours neither.
for (let i = 0; i < RUNS; i++) {
  for (const name of i % 2 ? [...names].reverse() : names) samples[name].push(synth(apps[name]));
}

console.log(
  `cdk synth, ${RUNS} alternating runs each, built-in CloudFormation validator off on both`,
);
console.log(`  ${new Date().toISOString()}, commit ${commit()}`);
const ratios: Record<keyof Sample, number> = { wall: NaN, cpu: NaN };
for (const measure of ['wall', 'cpu'] as const) {
  console.log(`  ${measure === 'wall' ? 'wall time' : 'CPU time (user + system, all processes)'}:`);
  const of = (name: AppName) => samples[name].map((s) => s[measure]);
  for (const name of names) {
    const s = sorted(of(name));
    console.log(
      `    ${`${name}:`.padEnd(9)} median ${s2(median(s))} s, range ${s2(s[0])}–${s2(s[s.length - 1])} s  (${of(name).map(s2).join(', ')})`,
    );
  }
  const minimal = of('minimal');
  const pairs = sorted(of('full').map((t, i) => t / minimal[i]));
  ratios[measure] = median(of('full')) / median(minimal);
  console.log(
    `    ratio full/minimal: ${s2(ratios[measure])} (per-run pairs ${s2(pairs[0])}–${s2(pairs[pairs.length - 1])})`,
  );
}
const verdict = (ratio: number) => (ratio <= TARGET_RATIO ? 'met' : 'NOT met');
console.log(
  `  target ratio <= ${TARGET_RATIO}: wall ${verdict(ratios.wall)}, CPU ${verdict(ratios.cpu)}`,
);
