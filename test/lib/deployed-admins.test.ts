import {
  CloudFormationClient,
  CloudFormationServiceException,
  GetTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { lookUpDeployedAdmins } from '../../lib/deployed-admins';

const cfn = mockClient(CloudFormationClient);
const client = new CloudFormationClient({ region: 'eu-west-1' });
const DAVE = 'arn:aws:iam::123456789012:role/Dave';
const TEAM = 'arn:aws:iam::123456789012:role/PlatformTeam';

const entry = (PrincipalArn: unknown) => ({
  Type: 'AWS::EKS::AccessEntry',
  Properties: { ClusterName: 'bitcoin-platform', PrincipalArn },
});
const rejection = (name: string, message: string) =>
  new CloudFormationServiceException({ name, $fault: 'client', $metadata: {}, message });

beforeEach(() => cfn.reset());

describe('lookUpDeployedAdmins', () => {
  test("gives each principal's deployed access entry by logical ID, not the kubectl role's reference", async () => {
    cfn.on(GetTemplateCommand, { StackName: 'BitcoinPlatform' }).resolves({
      TemplateBody: JSON.stringify({
        Resources: {
          AdminDave: entry(DAVE),
          AdminTeam: entry(TEAM),
          KubectlAccess: entry({ 'Fn::GetAtt': ['KubectlRole', 'Arn'] }),
          Cluster: { Type: 'AWS::EKS::Cluster', Properties: { Name: 'bitcoin-platform' } },
        },
      }),
    });
    await expect(lookUpDeployedAdmins(client, 'BitcoinPlatform')).resolves.toEqual({
      entryIds: { [DAVE]: 'AdminDave', [TEAM]: 'AdminTeam' },
    });
  });

  test('says there is no stack when CloudFormation says it does not exist', async () => {
    cfn
      .on(GetTemplateCommand)
      .rejects(rejection('ValidationError', 'Stack with id BitcoinPlatform does not exist'));
    await expect(lookUpDeployedAdmins(client, 'BitcoinPlatform')).resolves.toEqual({ none: true });
  });

  test('says why it does not know on any other error, without throwing', async () => {
    cfn.on(GetTemplateCommand).rejects(rejection('AccessDenied', 'not authorized to GetTemplate'));
    await expect(lookUpDeployedAdmins(client, 'BitcoinPlatform')).resolves.toEqual({
      unknown: 'not authorized to GetTemplate',
    });
  });

  test('gives up on a hung call after the timeout', async () => {
    cfn.on(GetTemplateCommand).callsFake(() => new Promise(() => undefined));
    await expect(lookUpDeployedAdmins(client, 'BitcoinPlatform', 20)).resolves.toEqual({
      unknown: 'no answer within 20 ms',
    });
  });
});
