import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { clusterAdmins, recordedAdminsKey } from '../../lib/cluster-admins';
import { lookUpDeployer } from '../../lib/deployer';
import { templateWithEntries } from '../helpers/deployed-template';

const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);
const clients = {
  sts: new STSClient({ region: 'us-east-1' }),
  iam: new IAMClient({ region: 'us-east-1' }),
};

const ACCOUNT = '123456789012';
const KEY = recordedAdminsKey(ACCOUNT, 'eu-west-1');
const ALICE = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_a1/alice`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const CI = `arn:aws:iam::${ACCOUNT}:role/ci/GitHubDeploy`;
const TEAM = `arn:aws:iam::${ACCOUNT}:role/PlatformTeam`;

/** The deployer as STS and IAM tell it, for a role session or an IAM user. */
async function deployerFor(principalArn: string) {
  sts.reset();
  iam.reset();
  const role = /:role\/(?:.*\/)?([^/]+)$/.exec(principalArn);
  sts.on(GetCallerIdentityCommand).resolves({
    Account: ACCOUNT,
    Arn: role ? `arn:aws:sts::${ACCOUNT}:assumed-role/${role[1]}/session` : principalArn,
  });
  if (role)
    iam.on(GetRoleCommand, { RoleName: role[1] }).resolves({ Role: { Arn: principalArn } as any });
  const lookup = await lookUpDeployer(clients);
  if (!('deployer' in lookup)) throw new Error(`no deployer: ${JSON.stringify(lookup)}`);
  return lookup.deployer;
}

describe('cluster admins recorded in cdk.context.json', () => {
  test('the key names the account and region, like the look-ups CDK records', () => {
    expect(KEY).toBe('eks-bitcoin-platform:cluster-admins:account=123456789012:region=eu-west-1');
  });

  test('the first deployer is recorded and granted', async () => {
    const deployer = await deployerFor(ALICE);
    expect(
      clusterAdmins({ key: KEY, recorded: undefined, deployer, adminPrincipalArns: [] }),
    ).toEqual({ recorded: [ALICE], record: [ALICE] });
  });

  test("Bob's deploy after Alice keeps Alice, records nothing, and tells Bob in one line how to become an admin", async () => {
    const deployer = await deployerFor(BOB);
    const admins = clusterAdmins({ key: KEY, recorded: [ALICE], deployer, adminPrincipalArns: [] });
    expect(admins.recorded).toEqual([ALICE]);
    expect(admins.record).toBeUndefined();
    expect(admins.warning).toBe(
      `${BOB} is not a cluster admin: only ${ALICE} (recorded in cdk.context.json) and adminPrincipalArns are. ` +
        `To become one, add ${BOB} to adminPrincipalArns in cdk.json, commit it and deploy again.`,
    );
    expect(admins.warning).not.toContain('\n');
  });

  test("a CI role's deploy keeps the recorded person, and adminPrincipalArns stay the config's", async () => {
    const deployer = await deployerFor(CI);
    const admins = clusterAdmins({
      key: KEY,
      recorded: [ALICE],
      deployer,
      adminPrincipalArns: [TEAM],
    });
    expect(admins.recorded).toEqual([ALICE]);
    expect(admins.record).toBeUndefined();
    expect(admins.warning).toMatch(new RegExp(`^${CI} is not a cluster admin`));
  });

  test('an admin who deploys again is not warned, whether recorded or listed', async () => {
    for (const [caller, adminPrincipalArns] of [
      [ALICE, []],
      [TEAM, [TEAM]],
    ] as const) {
      const deployer = await deployerFor(caller);
      expect(clusterAdmins({ key: KEY, recorded: [ALICE], deployer, adminPrincipalArns })).toEqual({
        recorded: [ALICE],
      });
    }
  });

  test("on a stack deployed before admins were recorded, records the stack's admins, not whoever deploys first now", async () => {
    const DAVE = `arn:aws:iam::${ACCOUNT}:role/Dave`;
    const deployer = await deployerFor(BOB);
    const admins = clusterAdmins({
      key: KEY,
      recorded: undefined,
      deployer,
      deployed: {
        template: templateWithEntries({
          [DAVE]: 'EksClusterAdmin0A1B2C3D4',
          [TEAM]: 'EksClusterAdmin1E5F6A7B8',
        }),
      },
      adminPrincipalArns: [TEAM],
    });
    // TEAM stays adminPrincipalArns' to keep or remove; Dave is recorded.
    expect(admins).toMatchObject({ recorded: [DAVE], record: [DAVE] });
    expect(admins.warning).toMatch(new RegExp(`^${BOB} is not a cluster admin: only ${DAVE} `));
  });

  test("records the deployer when the deployed stack's admins are all adminPrincipalArns, or there is no stack", async () => {
    const deployer = await deployerFor(ALICE);
    for (const deployed of [
      { template: templateWithEntries({ [TEAM]: 'EksClusterAdmin0A1B2C3D4' }) },
      { none: true as const },
    ]) {
      expect(
        clusterAdmins({
          key: KEY,
          recorded: undefined,
          deployer,
          deployed,
          adminPrincipalArns: [TEAM],
        }),
      ).toEqual({ recorded: [ALICE], record: [ALICE] });
    }
  });

  test('when CloudFormation does not say, records the deployer and says in one line what to check', async () => {
    const deployer = await deployerFor(ALICE);
    const admins = clusterAdmins({
      key: KEY,
      recorded: undefined,
      deployer,
      deployed: { unknown: 'not authorized to GetTemplate' },
      adminPrincipalArns: [],
    });
    expect(admins).toMatchObject({ recorded: [ALICE], record: [ALICE] });
    expect(admins.warning).toBe(
      `Recording ${ALICE} as the first deployer in cdk.context.json: CloudFormation did not say who the admins of a deployed stack are (not authorized to GetTemplate). ` +
        'If the stack was deployed before, add its earlier admins to adminPrincipalArns.',
    );
  });

  test('without a deployer (offline, or not nameable) nothing is recorded and the recorded stay', () => {
    expect(clusterAdmins({ key: KEY, recorded: undefined, adminPrincipalArns: [] })).toEqual({
      recorded: [],
      record: undefined,
    });
    expect(clusterAdmins({ key: KEY, recorded: [ALICE], adminPrincipalArns: [] })).toEqual({
      recorded: [ALICE],
    });
  });

  test('a recorded value that is not a list of IAM principal ARNs fails in one line naming the key', () => {
    expect(() => clusterAdmins({ key: KEY, recorded: ['alice'], adminPrincipalArns: [] })).toThrow(
      `Invalid config "${KEY}": got ["alice"]; expected a list of IAM role or user ARNs like "arn:aws:iam::123456789012:role/Admin".`,
    );
  });
});
