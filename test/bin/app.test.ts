import { spawn, spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { manifestObjectsOf } from '../../lib/template-manifests';
import { readTemplateFile } from '../../tools/rehearsal/earlier-template';
import { pinnedTemplateFile } from '../../tools/rehearsal/pinned-templates';
import { pythonToolPath } from '../../tools/setup/python-tools';
import { context as projectContext } from '../../cdk.json';
import { type FakeAwsAccount, startFakeAws } from './fake-aws';

const ROOT = join(__dirname, '..', '..');

interface Synth {
  readonly status: number | null;
  readonly outdir: string;
  /** stdout and stderr, interleaved. */
  readonly output: string;
}

/**
 * Runs `npx cdk synth` the way a user on a fresh machine would, or CI does: no AWS credentials at
 * all, and no container builder (CDK_DOCKER names one that is nowhere on PATH). Asynchronous, so
 * that a fake AWS in this process can answer it. In `cwd`, a project directory other than the
 * checkout, so that what the app records in cdk.context.json stays out of the checkout.
 */
async function cdkSynth(
  args: string[] = [],
  extraEnv: Record<string, string> = {},
  cwd = ROOT,
): Promise<Synth> {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-synth-'));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(AWS_|CDK_)/.test(key)),
  );
  const child = spawn(
    join(ROOT, 'node_modules', '.bin', 'cdk'),
    ['synth', '-q', '-o', outdir, ...args],
    {
      cwd,
      env: {
        ...env,
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        CDK_DOCKER: 'no-such-container-builder',
        ...extraEnv,
      },
    },
  );
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

/** Fake credentials for the CDK CLI and the app, answered by the fake AWS at `url`. */
function fakeCredentials(url: string): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'fake-access-key-id',
    AWS_SECRET_ACCESS_KEY: 'fake-secret-access-key',
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_STS: url,
    AWS_ENDPOINT_URL_IAM: url,
    AWS_ENDPOINT_URL_CLOUDFORMATION: url,
    CDK_DOCKER: process.execPath,
  };
}

/** The logical ID of each admin access entry by principal (the kubectl role's is a token). */
function adminEntries(synth: Synth): Record<string, string> {
  const template = JSON.parse(
    readFileSync(join(synth.outdir, 'BitcoinPlatform.template.json'), 'utf8'),
  );
  return Object.fromEntries(
    Object.entries(template.Resources as Record<string, any>)
      .filter(([, r]) => r.Type === 'AWS::EKS::AccessEntry')
      .filter(([, r]) => typeof r.Properties.PrincipalArn === 'string')
      .map(([id, r]) => [r.Properties.PrincipalArn, id]),
  );
}

const adminPrincipals = (synth: Synth): string[] => Object.keys(adminEntries(synth));

/** The names of the claims the template's kubectl manifests apply, sorted. */
function claimNames(synth: Synth): string[] {
  const template = readTemplateFile(join(synth.outdir, 'BitcoinPlatform.template.json'));
  return (manifestObjectsOf(template) as Array<{ kind: string; metadata: { name: string } }>)
    .filter((object) => object.kind === 'PersistentVolumeClaim')
    .map((object) => object.metadata.name)
    .sort();
}

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
      return await cdkSynth([], fakeCredentials(aws.url), newProject());
    } finally {
      await aws.close();
    }
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

/**
 * A project directory like a fresh clone's: cdk.json with the checkout's context (and `extra`),
 * running the checkout's app; no cdk.context.json yet.
 */
function newProject(extra: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'cdk-project-'));
  const cdkJson = {
    app: `${join(ROOT, 'node_modules', '.bin', 'tsx')} ${join(ROOT, 'bin', 'app.ts')}`,
    context: { ...projectContext, ...extra },
  };
  writeFileSync(join(dir, 'cdk.json'), JSON.stringify(cdkJson));
  return dir;
}

describe('cluster admins over deploys by different people, from one committed project', () => {
  const ACCOUNT = '123456789012';
  const ALICE_ROLE = 'AWSReservedSSO_Admin_0123456789abcdef';
  const ALICE = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/${ALICE_ROLE}`;
  const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
  const CI = `arn:aws:iam::${ACCOUNT}:role/ci/Deploy`;
  const CAROL = `arn:aws:iam::${ACCOUNT}:user/carol`;
  const KEY = `eks-bitcoin-platform:cluster-admins:account=${ACCOUNT}:region=eu-west-1`;
  const IDS_KEY = `eks-bitcoin-platform:cluster-admin-entry-ids:account=${ACCOUNT}:region=eu-west-1`;
  const CLAIMS_KEY = `eks-bitcoin-platform:kept-claim-names:account=${ACCOUNT}:region=eu-west-1`;
  const project = newProject({ adminPrincipalArns: [CAROL] });

  async function synthAs(
    caller: Omit<FakeAwsAccount, 'account'>,
    inProject = project,
  ): Promise<Synth> {
    const aws = await startFakeAws({ account: ACCOUNT, ...caller });
    try {
      return await cdkSynth([], fakeCredentials(aws.url), inProject);
    } finally {
      await aws.close();
    }
  }

  const recorded = () => JSON.parse(readFileSync(join(project, 'cdk.context.json'), 'utf8'));
  const notAdminLines = (synth: Synth) => synth.output.match(/^.* is not a cluster admin: .*$/gm);

  let alice: Synth;
  let aliceRecorded: unknown;
  let bob: Synth;
  let ci: Synth;
  beforeAll(async () => {
    alice = await synthAs({
      callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/${ALICE_ROLE}/alice@example.com`,
      roles: { [ALICE_ROLE]: ALICE },
    });
    aliceRecorded = existsSync(join(project, 'cdk.context.json')) ? recorded() : undefined;
    bob = await synthAs({ callerArn: BOB, roles: {} });
    ci = await synthAs({
      callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Deploy/run-42`,
      roles: { Deploy: CI },
    });
    // Three synths one after the other: more than one test's time on a busy machine.
  }, 3 * 120_000);

  test("the first deployer's synth records her in cdk.context.json and grants her", () => {
    expect(alice.status).toBe(0);
    // A new stack: no entry has a logical ID to keep, no claim a name.
    expect(aliceRecorded).toEqual({ [KEY]: [ALICE], [IDS_KEY]: {}, [CLAIMS_KEY]: {} });
    expect(adminPrincipals(alice).sort()).toEqual([ALICE, CAROL].sort());
    expect(notAdminLines(alice)).toBeNull();
  });

  test("Bob's deploy after Alice keeps Alice's access entry, and tells Bob in one line how to become an admin", () => {
    expect(bob.status).toBe(0);
    expect(adminPrincipals(bob).sort()).toEqual([ALICE, CAROL].sort());
    expect(notAdminLines(bob)).toEqual([
      `${BOB} is not a cluster admin: only ${ALICE} (recorded in cdk.context.json) and adminPrincipalArns are. ` +
        `To become one, add ${BOB} to adminPrincipalArns in cdk.json, commit it and deploy again.`,
    ]);
  });

  test("a CI role's deploy keeps every person's access entry", () => {
    expect(ci.status).toBe(0);
    expect(adminPrincipals(ci).sort()).toEqual([ALICE, CAROL].sort());
    expect(notAdminLines(ci)).toEqual([expect.stringMatching(new RegExp(`^${CI} is not`))]);
  });

  test('later deploys leave the record as the first deployer made it', () => {
    expect(recorded()).toEqual({ [KEY]: [ALICE], [IDS_KEY]: {}, [CLAIMS_KEY]: {} });
  });

  test("on a stack deployed before admins were recorded, the first synth records the stack's admin, not the one who runs it, and keeps each entry's logical ID", async () => {
    const DAVE = `arn:aws:iam::${ACCOUNT}:role/Dave`;
    const upgraded = newProject({ adminPrincipalArns: [CAROL] });
    const deployedTemplate = {
      Resources: {
        EksClusterAdmin1A2B3C4D5: {
          Type: 'AWS::EKS::AccessEntry',
          Properties: { ClusterName: 'bitcoin-platform', PrincipalArn: DAVE },
        },
        EksClusterAdmin06BF8452E: {
          Type: 'AWS::EKS::AccessEntry',
          Properties: { ClusterName: 'bitcoin-platform', PrincipalArn: CAROL },
        },
      },
    };
    const synth = await synthAs(
      { callerArn: BOB, roles: {}, stacks: { BitcoinPlatform: deployedTemplate } },
      upgraded,
    );
    expect(synth.status).toBe(0);
    const kept = { [CAROL]: 'EksClusterAdmin06BF8452E', [DAVE]: 'EksClusterAdmin1A2B3C4D5' };
    expect(JSON.parse(readFileSync(join(upgraded, 'cdk.context.json'), 'utf8'))).toEqual({
      [KEY]: [DAVE],
      [IDS_KEY]: kept,
      [CLAIMS_KEY]: {},
    });
    expect(adminEntries(synth)).toEqual(kept);
    expect(notAdminLines(synth)).toEqual([expect.stringMatching(new RegExp(`^${BOB} is not`))]);
  });

  test('a project that recorded its admins before entry IDs were kept learns the IDs, and keeps its admins as recorded', async () => {
    const DAVE = `arn:aws:iam::${ACCOUNT}:role/Dave`;
    const upgraded = newProject({ adminPrincipalArns: [CAROL] });
    writeFileSync(join(upgraded, 'cdk.context.json'), JSON.stringify({ [KEY]: [DAVE] }));
    const deployedTemplate = {
      Resources: {
        EksClusterAdmin1A2B3C4D5: {
          Type: 'AWS::EKS::AccessEntry',
          Properties: { ClusterName: 'bitcoin-platform', PrincipalArn: DAVE },
        },
      },
    };
    const synth = await synthAs(
      { callerArn: BOB, roles: {}, stacks: { BitcoinPlatform: deployedTemplate } },
      upgraded,
    );
    expect(synth.status).toBe(0);
    expect(JSON.parse(readFileSync(join(upgraded, 'cdk.context.json'), 'utf8'))).toEqual({
      [KEY]: [DAVE],
      [IDS_KEY]: { [DAVE]: 'EksClusterAdmin1A2B3C4D5' },
      [CLAIMS_KEY]: {},
    });
    expect(adminEntries(synth)[DAVE]).toBe('EksClusterAdmin1A2B3C4D5');
  });

  test("on a stack deployed at 70ff91b with a throughput claim, the first synth records the claim's deployed name and keeps it", async () => {
    const upgraded = newProject({ adminPrincipalArns: [CAROL], throughputVolume: 'st1' });
    const deployedTemplate = readTemplateFile(
      pinnedTemplateFile('70ff91b', {
        throughputVolume: 'st1',
        staticVolumeId: 'vol-0123456789abcdef0',
        staticVolumeZone: 'us-east-1a',
      }),
    );
    const synth = await synthAs(
      { callerArn: BOB, roles: {}, stacks: { BitcoinPlatform: deployedTemplate } },
      upgraded,
    );
    expect(synth.status).toBe(0);
    const record = JSON.parse(readFileSync(join(upgraded, 'cdk.context.json'), 'utf8'));
    expect(record[CLAIMS_KEY]).toEqual({ 'throughput-st1': 'throughput-data' });
    expect(claimNames(synth)).toEqual(['demo-data', 'throughput-data']);
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
