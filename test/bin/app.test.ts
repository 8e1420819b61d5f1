import { spawn, spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { pythonToolPath } from '../../tools/setup/python-tools';
import { startFakeAws } from './fake-aws';

interface Synth {
  readonly status: number | null;
  readonly outdir: string;
  /** stdout and stderr, interleaved. */
  readonly output: string;
}

/**
 * Runs `npx cdk synth` the way a user on a fresh machine would, or CI does: no AWS credentials at
 * all, and no container builder (CDK_DOCKER names one that is nowhere on PATH). Asynchronous, so
 * that a fake AWS in this process can answer it.
 */
async function cdkSynth(
  args: string[] = [],
  extraEnv: Record<string, string> = {},
): Promise<Synth> {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-synth-'));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(AWS_|CDK_)/.test(key)),
  );
  const child = spawn('npx', ['cdk', 'synth', '-q', '-o', outdir, ...args], {
    cwd: join(__dirname, '..', '..'),
    env: {
      ...env,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      CDK_DOCKER: 'no-such-container-builder',
      ...extraEnv,
    },
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { status, outdir, output };
}

/** The CLI prints each construct warning as a block that starts with this line. */
const CONSTRUCT_WARNING = /^WARNING .*$/gm;

describe('cdk synth without AWS credentials', () => {
  let synth: Synth;
  beforeAll(async () => {
    synth = await cdkSynth();
  });

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

describe('cdk synth with the credentials of an IAM Identity Center role', () => {
  const ROLE = 'AWSReservedSSO_Admin_0123456789abcdef';
  const ROLE_ARN = `arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/${ROLE}`;

  /** Synth against a fake STS and IAM that know the role's ARN only if `roleArn` is given. */
  async function synthAsRole(roleArn?: string): Promise<Synth> {
    const aws = await startFakeAws({
      account: '123456789012',
      callerArn: `arn:aws:sts::123456789012:assumed-role/${ROLE}/alice@example.com`,
      roles: roleArn ? { [ROLE]: roleArn } : {},
    });
    try {
      return await cdkSynth([], {
        AWS_ACCESS_KEY_ID: 'fake-access-key-id',
        AWS_SECRET_ACCESS_KEY: 'fake-secret-access-key',
        AWS_REGION: 'eu-west-1',
        AWS_ENDPOINT_URL_STS: aws.url,
        AWS_ENDPOINT_URL_IAM: aws.url,
        CDK_DOCKER: process.execPath,
      });
    } finally {
      await aws.close();
    }
  }

  /** The principals of the admin access entries (the kubectl role's is a token, not a string). */
  function adminPrincipals(synth: Synth): string[] {
    const template = JSON.parse(
      readFileSync(join(synth.outdir, 'BitcoinPlatform.template.json'), 'utf8'),
    );
    return Object.values(template.Resources as Record<string, any>)
      .filter((r) => r.Type === 'AWS::EKS::AccessEntry')
      .map((r) => r.Properties.PrincipalArn)
      .filter((arn) => typeof arn === 'string');
  }

  describe('that iam:GetRole tells its ARN, on a machine with a container builder', () => {
    let synth: Synth;
    beforeAll(async () => {
      synth = await synthAsRole(ROLE_ARN);
    });

    test('grants the role cluster admin by its full ARN, path included', () => {
      expect(synth.status).toBe(0);
      expect(synth.output).not.toMatch(/without AWS credentials|No access entry/);
      expect(adminPrincipals(synth)).toEqual([ROLE_ARN]);
    });

    test('warns of nothing', () => {
      expect(synth.output.match(CONSTRUCT_WARNING)).toBeNull();
    });
  });

  test('without iam:GetRole, grants nothing and says once which adminPrincipalArns value to pass', async () => {
    const synth = await synthAsRole();
    expect(synth.status).toBe(0);
    expect(synth.output.match(/^No access entry for the deployer: .*$/gm)).toEqual([
      expect.stringContaining(
        `-c adminPrincipalArns=arn:aws:iam::123456789012:role/<path>/${ROLE};`,
      ),
    ]);
    expect(adminPrincipals(synth)).toEqual([]);
  });
});

test('bad config fails synth with one message naming the key and no stack trace', async () => {
  const synth = await cdkSynth(['-c', 'nodeMinSize=5']);
  expect(synth.status).not.toBe(0);
  expect(synth.output).toContain(
    'Invalid config "nodeMinSize": got 5; expected at most nodeDesiredSize (2).',
  );
  expect(synth.output).not.toMatch(/^\s+at /m);
});
