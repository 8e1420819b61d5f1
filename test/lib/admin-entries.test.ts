import { adminEntryIdsKey, adminEntryIdsOf, keptAdminEntryIds } from '../../lib/admin-entries';
import { templateWithEntries } from '../helpers/deployed-template';

const KEY = adminEntryIdsKey('123456789012', 'eu-west-1');
const DAVE = 'arn:aws:iam::123456789012:role/Dave';
const TEAM = 'arn:aws:iam::123456789012:role/PlatformTeam';
// The logical IDs a stack deployed at 70ff91b gave its admins, in list order.
const DEPLOYED = { [TEAM]: 'EksClusterAdmin06BF8452E', [DAVE]: 'EksClusterAdmin1C0FFEE12' };

describe('admin entry IDs kept in cdk.context.json', () => {
  test('the key names the account and region, next to the recorded admins', () => {
    expect(KEY).toBe(
      'eks-bitcoin-platform:cluster-admin-entry-ids:account=123456789012:region=eu-west-1',
    );
  });

  test('while nothing is recorded, keeps and records the deployed logical IDs', () => {
    const deployed = { template: templateWithEntries(DEPLOYED) };
    expect(keptAdminEntryIds(KEY, undefined, deployed)).toEqual({
      value: DEPLOYED,
      record: DEPLOYED,
    });
  });

  test('for a stack not deployed yet, records that no entry keeps an ID', () => {
    expect(keptAdminEntryIds(KEY, undefined, { none: true })).toEqual({ value: {}, record: {} });
  });

  test('once recorded, keeps the recorded IDs whatever the deployed stack says', () => {
    expect(keptAdminEntryIds(KEY, DEPLOYED, { none: true })).toEqual({ value: DEPLOYED });
  });

  test('offline, with nothing recorded, keeps and records nothing', () => {
    expect(keptAdminEntryIds(KEY, undefined, undefined)).toEqual({ value: {} });
  });

  test('when CloudFormation does not say, records nothing and says so in one line', () => {
    const kept = keptAdminEntryIds(KEY, undefined, { unknown: 'not authorized to GetTemplate' });
    expect(kept.value).toEqual({});
    expect(kept.record).toBeUndefined();
    expect(kept.warning).toMatch(
      /^Admin access entries get new logical IDs: CloudFormation did not say .*\(not authorized to GetTemplate\)\. .*rolls back/,
    );
    expect(kept.warning).not.toContain('\n');
  });

  test.each([
    ['a list', [DAVE]],
    ['a logical ID with a dash', { [DAVE]: 'Admin-0' }],
    ['keyed by something other than an IAM ARN', { dave: 'EksClusterAdmin06BF8452E' }],
  ])(
    'a recorded value that is %s fails in one line naming key, value and what is allowed',
    (_, value) => {
      expect(() => keptAdminEntryIds(KEY, value, undefined)).toThrow(
        `Invalid config "${KEY}": got ${JSON.stringify(value)}; expected an object of IAM principal ARNs to CloudFormation logical IDs.`,
      );
    },
  );

  test("a deployed template's entries by principal, without the kubectl provider role's reference", () => {
    const template = templateWithEntries(DEPLOYED);
    const kubectlAccess = {
      Type: 'AWS::EKS::AccessEntry',
      Properties: { PrincipalArn: { 'Fn::GetAtt': ['KubectlRole', 'Arn'] } },
    };
    const cluster = { Type: 'AWS::EKS::Cluster', Properties: { Name: 'bitcoin-platform' } };
    expect(
      adminEntryIdsOf({
        Resources: { ...template.Resources, KubectlAccess: kubectlAccess, Cluster: cluster },
      }),
    ).toEqual(DEPLOYED);
  });
});
