import {
  CloudFormationClient,
  CloudFormationServiceException,
  GetTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { lookUpDeployedStack } from '../../lib/deployed-stack';

const cfn = mockClient(CloudFormationClient);
const client = new CloudFormationClient({ region: 'eu-west-1' });
const rejection = (name: string, message: string) =>
  new CloudFormationServiceException({ name, $fault: 'client', $metadata: {}, message });

beforeEach(() => cfn.reset());

describe('lookUpDeployedStack', () => {
  test('gives the deployed template as CloudFormation returns it', async () => {
    const template = {
      Resources: {
        Cluster: { Type: 'AWS::EKS::Cluster', Properties: { Name: 'bitcoin-platform' } },
      },
    };
    cfn
      .on(GetTemplateCommand, { StackName: 'BitcoinPlatform' })
      .resolves({ TemplateBody: JSON.stringify(template) });
    await expect(lookUpDeployedStack(client, 'BitcoinPlatform')).resolves.toEqual({ template });
  });

  test('says there is no stack when CloudFormation says it does not exist', async () => {
    cfn
      .on(GetTemplateCommand)
      .rejects(rejection('ValidationError', 'Stack with id BitcoinPlatform does not exist'));
    await expect(lookUpDeployedStack(client, 'BitcoinPlatform')).resolves.toEqual({ none: true });
  });

  test('says why it does not know on any other error, without throwing', async () => {
    cfn.on(GetTemplateCommand).rejects(rejection('AccessDenied', 'not authorized to GetTemplate'));
    await expect(lookUpDeployedStack(client, 'BitcoinPlatform')).resolves.toEqual({
      unknown: 'not authorized to GetTemplate',
    });
  });

  test('gives up on a hung call after the timeout', async () => {
    cfn.on(GetTemplateCommand).callsFake(() => new Promise(() => undefined));
    await expect(lookUpDeployedStack(client, 'BitcoinPlatform', 20)).resolves.toEqual({
      unknown: 'no answer within 20 ms',
    });
  });
});
