import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { pythonToolPath } from '../../tools/setup/python-tools';

/**
 * Runs `npx cdk synth` the way a user on a fresh machine would, or CI does: no AWS credentials at
 * all, and no container builder (CDK_DOCKER names one that is nowhere on PATH).
 */
function cdkSynth(args: string[] = [], extraEnv: Record<string, string> = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-synth-'));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(AWS_|CDK_)/.test(key)),
  );
  const result = spawnSync('npx', ['cdk', 'synth', '-q', '-o', outdir, ...args], {
    cwd: join(__dirname, '..', '..'),
    env: {
      ...env,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      CDK_DOCKER: 'no-such-container-builder',
      ...extraEnv,
    },
    encoding: 'utf8',
  });
  return { ...result, outdir, output: result.stdout + result.stderr };
}

/** The CLI prints each construct warning as a block that starts with this line. */
const CONSTRUCT_WARNING = /^WARNING .*$/gm;

describe('cdk synth without AWS credentials', () => {
  const synth = cdkSynth();

  test('succeeds and says once that it runs without credentials', () => {
    expect(synth.status).toBe(0);
    expect(synth.output.match(/without AWS credentials/g)).toHaveLength(1);
    expect(readdirSync(synth.outdir)).toContain('BitcoinPlatform.template.json');
  });

  test('warns once, and of nothing else, that cdk deploy needs a container builder to build the controller image', () => {
    expect(synth.output.match(CONSTRUCT_WARNING)).toEqual([
      expect.stringMatching(
        /controller image .* with no-such-container-builder, which is not on PATH/,
      ),
    ]);
  });

  test('writes environment-agnostic templates', () => {
    const manifest = JSON.parse(readFileSync(join(synth.outdir, 'manifest.json'), 'utf8'));
    expect(manifest.artifacts.BitcoinPlatform.environment).toBe(
      'aws://unknown-account/unknown-region',
    );
  });

  test('cdk-nag AwsSolutions reports no unacknowledged finding, and every acknowledgement has a reason', () => {
    const report = JSON.parse(readFileSync(join(synth.outdir, 'validation-report.json'), 'utf8'));
    const nag = report.pluginReports.find(
      (r: { pluginName: string }) => r.pluginName === 'AwsSolutions',
    );
    expect(nag.conclusion).toBe('success');
    expect(nag.violations).toEqual([]);
    for (const suppressed of nag.suppressedViolations)
      expect(suppressed.reason.length).toBeGreaterThan(40);
  });

  test('cfn-lint finds no errors in the template', () => {
    const lint = spawnSync(
      pythonToolPath('cfn-lint'),
      [join(synth.outdir, 'BitcoinPlatform.template.json')],
      {
        cwd: join(__dirname, '..', '..'),
        encoding: 'utf8',
      },
    );
    expect(lint.error).toBeUndefined();
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  });
});

test('cdk synth on a machine with a container builder on PATH warns of nothing', () => {
  const synth = cdkSynth([], { CDK_DOCKER: process.execPath });
  expect(synth.status).toBe(0);
  expect(synth.output.match(CONSTRUCT_WARNING)).toBeNull();
});

test('bad config fails synth with one message naming the key and no stack trace', () => {
  const synth = cdkSynth(['-c', 'nodeMinSize=5']);
  expect(synth.status).not.toBe(0);
  expect(synth.output).toContain(
    'Invalid config "nodeMinSize": got 5; expected at most nodeDesiredSize (2).',
  );
  expect(synth.output).not.toMatch(/^\s+at /m);
});
