import { GetRoleCommand, IAMClient, IAMServiceException } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { lookUpDeployer } from '../../lib/deployer';

const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);
const clients = {
  sts: new STSClient({ region: 'us-east-1' }),
  iam: new IAMClient({ region: 'us-east-1' }),
};

const SSO_ROLE = 'AWSReservedSSO_Admin_0123456789abcdef';
const SSO_SESSION = `arn:aws:sts::123456789012:assumed-role/${SSO_ROLE}/alice@example.com`;

/** STS answers that the caller is `arn`; IAM knows `roles` by name, with their ARNs. */
function given(arn: string, roles: Record<string, string> = {}) {
  sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: arn });
  for (const [RoleName, Arn] of Object.entries(roles)) {
    iam.on(GetRoleCommand, { RoleName }).resolves({ Role: { RoleName, Arn } as any });
  }
}

beforeEach(() => {
  sts.reset();
  iam.reset();
});

describe('lookUpDeployer', () => {
  test('returns the account and the IAM user of a user caller, without asking IAM', async () => {
    given('arn:aws:iam::123456789012:user/ops/alice');
    await expect(lookUpDeployer(clients)).resolves.toEqual({
      deployer: {
        account: '123456789012',
        principalArn: 'arn:aws:iam::123456789012:user/ops/alice',
      },
    });
    expect(iam.calls()).toHaveLength(0);
  });

  test('resolves an assumed-role session to the ARN IAM gives its role', async () => {
    given('arn:aws:sts::123456789012:assumed-role/PlatformAdmin/alice', {
      PlatformAdmin: 'arn:aws:iam::123456789012:role/PlatformAdmin',
    });
    await expect(lookUpDeployer(clients)).resolves.toEqual({
      deployer: {
        account: '123456789012',
        principalArn: 'arn:aws:iam::123456789012:role/PlatformAdmin',
      },
    });
  });

  test("keeps the path of an IAM Identity Center role: the session's ARN does not show it", async () => {
    const roleArn = `arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/${SSO_ROLE}`;
    given(SSO_SESSION, { [SSO_ROLE]: roleArn });
    await expect(lookUpDeployer(clients)).resolves.toEqual({
      deployer: { account: '123456789012', principalArn: roleArn },
    });
  });

  test('without iam:GetRole, gives no deployer and one line naming the adminPrincipalArns value to pass', async () => {
    given(SSO_SESSION);
    iam.on(GetRoleCommand).rejects(
      new IAMServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: {},
        message: `User: ${SSO_SESSION} is not authorized to perform: iam:GetRole`,
      }),
    );
    await expect(lookUpDeployer(clients)).resolves.toEqual({
      warning:
        `No access entry for the deployer: iam:GetRole could not read the ARN, path included, of its role ${SSO_ROLE} ` +
        `(User: ${SSO_SESSION} is not authorized to perform: iam:GetRole). ` +
        `Pass it with -c adminPrincipalArns=arn:aws:iam::123456789012:role/<path>/${SSO_ROLE}; ` +
        `\`aws iam get-role --role-name ${SSO_ROLE} --query Role.Arn\` prints it.`,
    });
  });

  test('without iam:GetRole, takes the ARN of a role listed in adminPrincipalArns, and does not warn', async () => {
    const listed = `arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/${SSO_ROLE}`;
    given(SSO_SESSION);
    iam.on(GetRoleCommand).rejects(new Error('denied'));
    await expect(
      lookUpDeployer(clients, {
        adminPrincipalArns: ['arn:aws:iam::123456789012:role/Other', listed],
      }),
    ).resolves.toEqual({ deployer: { account: '123456789012', principalArn: listed } });
  });

  test('prefers the ARN IAM gives over a listed one of the same name', async () => {
    const roleArn = `arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/${SSO_ROLE}`;
    given(SSO_SESSION, { [SSO_ROLE]: roleArn });
    await expect(
      lookUpDeployer(clients, {
        adminPrincipalArns: [`arn:aws:iam::123456789012:role/${SSO_ROLE}`],
      }),
    ).resolves.toEqual({ deployer: { account: '123456789012', principalArn: roleArn } });
  });

  test('a role of the same name in another account does not count as listed', async () => {
    given(SSO_SESSION);
    iam.on(GetRoleCommand).rejects(new Error('denied'));
    const lookup = await lookUpDeployer(clients, {
      adminPrincipalArns: [`arn:aws:iam::210987654321:role/${SSO_ROLE}`],
    });
    expect(lookup).toEqual({
      warning: expect.stringContaining('No access entry for the deployer'),
    });
  });

  test('gives up on a hung GetRole after the timeout', async () => {
    given(SSO_SESSION);
    iam.on(GetRoleCommand).callsFake(() => new Promise(() => undefined));
    const lookup = await lookUpDeployer(clients, { timeoutMs: 20 });
    expect(lookup).toEqual({ warning: expect.stringContaining('(no answer within 20 ms)') });
  });

  test('turns an STS failure into the reason synth runs as if offline', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .rejects(new Error('Could not load credentials from any providers'));
    await expect(lookUpDeployer(clients)).resolves.toEqual({
      offline:
        'could not ask AWS STS who is deploying (Could not load credentials from any providers)',
    });
  });

  test('gives up on a hung STS call after the timeout', async () => {
    sts.on(GetCallerIdentityCommand).callsFake(() => new Promise(() => undefined));
    await expect(lookUpDeployer(clients, { timeoutMs: 20 })).resolves.toEqual({
      offline: 'could not ask AWS STS who is deploying (no answer within 20 ms)',
    });
  });

  test.each([
    'arn:aws:iam::123456789012:root',
    'arn:aws:sts::123456789012:federated-user/bob',
    'not an arn',
  ])('warns that the caller %s cannot be named in an access entry', async (arn) => {
    given(arn);
    await expect(lookUpDeployer(clients)).resolves.toEqual({
      warning: `No access entry for the deployer: the caller ${arn} cannot be named in one; only adminPrincipalArns get cluster admin.`,
    });
  });

  test('keeps the partition of the caller in the ARN it suggests', async () => {
    sts.on(GetCallerIdentityCommand).resolves({
      Account: '123456789012',
      Arn: 'arn:aws-cn:sts::123456789012:assumed-role/Ops/s',
    });
    iam.on(GetRoleCommand).rejects(new Error('denied'));
    const lookup = await lookUpDeployer(clients);
    expect(lookup).toEqual({
      warning: expect.stringContaining(
        'adminPrincipalArns=arn:aws-cn:iam::123456789012:role/<path>/Ops;',
      ),
    });
  });
});
