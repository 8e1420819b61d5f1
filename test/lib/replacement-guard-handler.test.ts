import { type CfnAnswer, handlerUnderTest } from '../helpers/custom-resource-handler';

const guard = handlerUnderTest('replacement-guard', {
  logicalId: 'ReplacementGuard',
  type: 'Custom::ReplacementGuard',
});
const { handler, answer, answers } = guard;

/** What the stack deploys today: the values CloudFormation sends, as strings. */
const DEPLOYED = {
  'Network/Vpc': { Type: 'AWS::EC2::VPC', CidrBlock: '10.0.0.0/16' },
  'Network/Vpc/PrivateSubnet1/Subnet': {
    Type: 'AWS::EC2::Subnet',
    CidrBlock: '10.0.4.0/22',
    AvailabilityZone: 'eu-west-1a',
    'AvailabilityZone from': 'Fn::GetAZs',
  },
  'Eks/Cluster': { Type: 'AWS::EKS::Cluster', Name: 'bitcoin-platform' },
};
type Guarded = Record<string, Record<string, string>>;

function event(RequestType: string, Guarded: Guarded, extra: Record<string, unknown> = {}) {
  return guard.event(RequestType, extra, { Guarded });
}

/** The physical ID the guard gives `guarded` on Create. */
async function physicalIdOf(guarded: Guarded): Promise<string> {
  await handler(event('Create', guarded));
  const id = answers.pop()!.body.PhysicalResourceId;
  return id;
}

/** An Update from the deployed values to `next`, as CloudFormation sends it. */
async function update(next: Guarded): Promise<CfnAnswer['body']> {
  const PhysicalResourceId = await physicalIdOf(DEPLOYED);
  await handler(
    event('Update', next, {
      PhysicalResourceId,
      OldResourceProperties: { ServiceToken: 'arn:aws:lambda:fn', Guarded: DEPLOYED },
    }),
  );
  return answer();
}

describe('Custom::ReplacementGuard handler', () => {
  test('on Create accepts, with a physical ID that follows the values, not their order', async () => {
    await handler(event('Create', DEPLOYED));
    expect(answer()).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: expect.stringMatching(/^replacement-guard-[0-9a-f]{16}$/),
      RequestId: 'request-1',
      LogicalResourceId: 'ReplacementGuard',
    });
    const reordered = Object.fromEntries(Object.entries(DEPLOYED).reverse());
    expect(await physicalIdOf(reordered)).toBe(answers[0].body.PhysicalResourceId);
    expect(
      await physicalIdOf({
        ...DEPLOYED,
        'Network/Vpc': { Type: 'AWS::EC2::VPC', CidrBlock: '10.1.0.0/16' },
      }),
    ).not.toBe(answers[0].body.PhysicalResourceId);
  });

  test('refuses a new cluster name in one line naming the cluster, both names and what to do', async () => {
    const reply = await update({
      ...DEPLOYED,
      'Eks/Cluster': { Type: 'AWS::EKS::Cluster', Name: 'renamed' },
    });
    expect(reply.Status).toBe('FAILED');
    expect(reply.Reason).toBe(
      'Refused: this deploy would replace the AWS::EKS::Cluster Eks/Cluster (Name "bitcoin-platform" -> "renamed"), ' +
        "leaving the old cluster's load balancers, security groups and volumes behind, still billed. " +
        'Deploy with the values of the last deploy, or run "npx cdk destroy" first and deploy anew ' +
        "(docs/configuration.md says what each key's change does).",
    );
    // A failed update keeps the resource as it was.
    expect(reply.PhysicalResourceId).toBe(await physicalIdOf(DEPLOYED));
  });

  test('refuses a new VPC CIDR, counting the subnets it would replace too', async () => {
    const reply = await update({
      ...DEPLOYED,
      'Network/Vpc': { Type: 'AWS::EC2::VPC', CidrBlock: '10.1.0.0/16' },
      'Network/Vpc/PrivateSubnet1/Subnet': {
        ...DEPLOYED['Network/Vpc/PrivateSubnet1/Subnet'],
        CidrBlock: '10.1.4.0/22',
      },
    });
    expect(reply.Status).toBe('FAILED');
    expect(reply.Reason).toMatch(
      /^Refused: this deploy would replace the AWS::EC2::VPC Network\/Vpc \(CidrBlock "10\.0\.0\.0\/16" -> "10\.1\.0\.0\/16"\) and 1 more, /,
    );
    expect(reply.Reason).not.toContain('\n');
  });

  test('refuses a deploy that drops a subnet (fewer zones)', async () => {
    const { 'Network/Vpc/PrivateSubnet1/Subnet': _dropped, ...rest } = DEPLOYED;
    const reply = await update(rest);
    expect(reply.Status).toBe('FAILED');
    expect(reply.Reason).toMatch(
      /^Refused: this deploy would delete the AWS::EC2::Subnet Network\/Vpc\/PrivateSubnet1\/Subnet, /,
    );
  });

  test('refuses subnets that move from Fn::GetAZs to looked-up zones, even with the same names', async () => {
    const reply = await update({
      ...DEPLOYED,
      'Network/Vpc/PrivateSubnet1/Subnet': {
        ...DEPLOYED['Network/Vpc/PrivateSubnet1/Subnet'],
        'AvailabilityZone from': 'the availability-zones lookup in cdk.context.json',
      },
    });
    expect(reply.Status).toBe('FAILED');
  });

  test('accepts a deploy that only adds a subnet (more zones), under a new physical ID', async () => {
    const next = {
      ...DEPLOYED,
      'Network/Vpc/PrivateSubnet3/Subnet': {
        Type: 'AWS::EC2::Subnet',
        CidrBlock: '10.0.12.0/22',
        AvailabilityZone: 'eu-west-1c',
        'AvailabilityZone from': 'Fn::GetAZs',
      },
    };
    const reply = await update(next);
    expect(reply.Status).toBe('SUCCESS');
    expect(reply.PhysicalResourceId).toBe(await physicalIdOf(next));
  });

  test('accepts the rollback after a refusal: back to the values its physical ID was made of', async () => {
    const refused = { ...DEPLOYED, 'Eks/Cluster': { Type: 'AWS::EKS::Cluster', Name: 'renamed' } };
    const PhysicalResourceId = await physicalIdOf(DEPLOYED);
    await handler(
      event('Update', DEPLOYED, {
        PhysicalResourceId,
        OldResourceProperties: { ServiceToken: 'arn:aws:lambda:fn', Guarded: refused },
      }),
    );
    expect(answer()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId });
  });

  test('on Delete accepts and does nothing else', async () => {
    await handler(
      event('Delete', DEPLOYED, { PhysicalResourceId: 'replacement-guard-0123456789abcdef' }),
    );
    expect(answer()).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'replacement-guard-0123456789abcdef',
    });
  });
});
