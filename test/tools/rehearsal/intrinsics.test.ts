import { Intrinsics, STAND_IN_ENV } from '../../../tools/rehearsal/intrinsics';
import type { CfnTemplate } from '../../../tools/rehearsal/template';

const template: CfnTemplate = {
  Resources: {
    Cluster: { Type: 'AWS::EKS::Cluster', Properties: { Name: 'bitcoin-platform' } },
    Role: { Type: 'AWS::IAM::Role' },
    Vpc: { Type: 'AWS::EC2::VPC' },
    Json: { Type: 'Custom::AWSCDKCfnJson' },
  },
  Parameters: { Version: { Default: '/cdk-bootstrap/version' } },
  Conditions: { InAws: { 'Fn::Equals': [{ Ref: 'AWS::Partition' }, 'aws'] } },
};

describe('Intrinsics', () => {
  const intrinsics = new Intrinsics(template, new Map([['Json', { Value: { a: 1 } }]]));
  const resolve = (value: unknown) => intrinsics.resolve(value, 'Test');

  test('pseudo parameters resolve to the stand-in account, region and partition', () => {
    expect(
      resolve({
        'Fn::Join': [
          ':',
          [
            { Ref: 'AWS::AccountId' },
            { Ref: 'AWS::Region' },
            { Ref: 'AWS::Partition' },
            { Ref: 'AWS::URLSuffix' },
          ],
        ],
      }),
    ).toBe(`${STAND_IN_ENV.account}:${STAND_IN_ENV.region}:aws:amazonaws.com`);
  });

  test("a cluster's Ref is its name; a role's Arn is an IAM ARN in the stand-in account", () => {
    expect(resolve({ Ref: 'Cluster' })).toBe('bitcoin-platform');
    expect(resolve({ 'Fn::GetAtt': ['Role', 'Arn'] })).toBe('arn:aws:iam::111111111111:role/role');
  });

  test('Fn::Sub, Fn::Select and Fn::Split nest and resolve', () => {
    expect(resolve({ 'Fn::Sub': '${Cluster}/${AWS::Region}/${!Literal}' })).toBe(
      'bitcoin-platform/us-east-1/${Literal}',
    );
    expect(resolve({ 'Fn::Sub': ['${X}-${Vpc}', { X: { Ref: 'Cluster' } }] })).toBe(
      'bitcoin-platform-vpc',
    );
    expect(resolve({ 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] })).toBe('b');
  });

  test('AWS::NoValue removes the property; Fn::If follows the condition', () => {
    expect(resolve({ Keep: 1, Drop: { Ref: 'AWS::NoValue' } })).toEqual({ Keep: 1 });
    expect(resolve({ 'Fn::If': ['InAws', 'yes', 'no'] })).toBe('yes');
  });

  test("a custom resource's attribute comes from what its handler returned", () => {
    expect(resolve({ 'Fn::GetAtt': ['Json', 'Value'] })).toEqual({ a: 1 });
  });

  test('an unresolvable reference is one error naming where, what and what is known', () => {
    expect(() => resolve({ Ref: 'Ghost' })).toThrow(
      'Test: Ghost is neither a resource nor a parameter of the template',
    );
    expect(() => resolve({ 'Fn::GetAtt': ['Vpc', 'CidrBlock'] })).toThrow(
      /^Test: Fn::GetAtt Vpc.CidrBlock of AWS::EC2::VPC has no stand-in \(known: Arn and /,
    );
    expect(() =>
      new Intrinsics(template).resolve({ 'Fn::GetAtt': ['Json', 'Value'] }, 'P'),
    ).toThrow('P: Fn::GetAtt Json.Value: Json (Custom::AWSCDKCfnJson) returned nothing yet');
    expect(() => resolve({ 'Fn::ImportValue': 'x' })).toThrow(
      'Test: Fn::ImportValue cannot be resolved by the rehearsal',
    );
  });
});
