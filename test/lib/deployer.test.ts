import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { iamPrincipalArn, lookUpDeployer } from '../../lib/deployer';

const sts = mockClient(STSClient);
const client = new STSClient({ region: 'us-east-1' });

beforeEach(() => sts.reset());

describe('lookUpDeployer', () => {
  test('returns the account and the IAM user of a user caller', async () => {
    sts.on(GetCallerIdentityCommand).resolves({
      Account: '123456789012',
      Arn: 'arn:aws:iam::123456789012:user/alice',
    });
    await expect(lookUpDeployer(client)).resolves.toEqual({
      deployer: { account: '123456789012', principalArn: 'arn:aws:iam::123456789012:user/alice' },
    });
  });

  test('resolves an assumed-role session to its IAM role', async () => {
    sts.on(GetCallerIdentityCommand).resolves({
      Account: '123456789012',
      Arn: 'arn:aws:sts::123456789012:assumed-role/PlatformAdmin/alice@example.com',
    });
    await expect(lookUpDeployer(client)).resolves.toEqual({
      deployer: {
        account: '123456789012',
        principalArn: 'arn:aws:iam::123456789012:role/PlatformAdmin',
      },
    });
  });

  test('turns an STS failure into a warning', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .rejects(new Error('Could not load credentials from any providers'));
    await expect(lookUpDeployer(client)).resolves.toEqual({
      warning:
        'could not ask AWS STS who is deploying (Could not load credentials from any providers)',
    });
  });

  test('gives up on a hung call after the timeout', async () => {
    sts.on(GetCallerIdentityCommand).callsFake(() => new Promise(() => undefined));
    await expect(lookUpDeployer(client, 20)).resolves.toEqual({
      warning: 'could not ask AWS STS who is deploying (no answer within 20 ms)',
    });
  });

  test('warns about a caller that cannot be named in an access entry', async () => {
    sts.on(GetCallerIdentityCommand).resolves({
      Account: '123456789012',
      Arn: 'arn:aws:iam::123456789012:root',
    });
    await expect(lookUpDeployer(client)).resolves.toEqual({
      warning: 'the caller arn:aws:iam::123456789012:root cannot be named in an EKS access entry',
    });
  });
});

describe('iamPrincipalArn', () => {
  test.each([
    ['arn:aws:sts::123456789012:assumed-role/Admin/s', 'arn:aws:iam::123456789012:role/Admin'],
    ['arn:aws-cn:sts::123456789012:assumed-role/Ops/s', 'arn:aws-cn:iam::123456789012:role/Ops'],
    [
      'arn:aws:iam::123456789012:role/path/Deployer',
      'arn:aws:iam::123456789012:role/path/Deployer',
    ],
    ['arn:aws:sts::123456789012:federated-user/bob', undefined],
    ['not an arn', undefined],
  ])('%s -> %s', (caller, principal) => {
    expect(iamPrincipalArn(caller)).toBe(principal);
  });
});
