import { Match } from 'aws-cdk-lib/assertions';
import { synthPlatform } from '../helpers/synth';
import { DEPLOYER, EXTRA_ADMIN, platformTemplate } from '../helpers/template';

// Synthesised once for the whole file: a full synth takes seconds.
const { template, logicalId } = platformTemplate();

describe('EKS cluster', () => {
  test('the cluster role is assumed by EKS', () => {
    logicalId('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'eks.amazonaws.com' } })],
      }),
    });
  });

  test('uses access entries, full control-plane logging and the configured version', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', {
      Name: 'bitcoin-platform',
      Version: '1.36',
      AccessConfig: { AuthenticationMode: 'API' },
      Logging: {
        ClusterLogging: {
          EnabledTypes: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'].map(
            (Type) => ({ Type }),
          ),
        },
      },
    });
  });

  test('encrypts Secrets with a rotating KMS key', () => {
    const key = logicalId('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::EKS::Cluster', {
      EncryptionConfig: [
        { Provider: { KeyArn: { 'Fn::GetAtt': [key, 'Arn'] } }, Resources: ['secrets'] },
      ],
    });
  });

  test('schedules the KMS key for deletion when the stack is destroyed', () => {
    const key = logicalId('AWS::KMS::Key', { EnableKeyRotation: true });
    expect(template.toJSON().Resources[key]).toMatchObject({
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Properties: { PendingWindowInDays: 7 },
    });
  });

  test('exposes the endpoint publicly and privately by default', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: Match.objectLike({
        EndpointPrivateAccess: true,
        EndpointPublicAccess: true,
        PublicAccessCidrs: ['0.0.0.0/0'],
      }),
    });
  });

  test('has a kubectl provider with the layer for its version', () => {
    template.hasResourceProperties('AWS::Lambda::LayerVersion', {
      Description: Match.stringLikeRegexp('kubectl.*1\\.36|1\\.36.*kubectl'),
    });
  });

  test('grants cluster admin to the deployer and to adminPrincipalArns', () => {
    for (const principal of [DEPLOYER.principalArn, EXTRA_ADMIN]) {
      template.hasResourceProperties('AWS::EKS::AccessEntry', {
        PrincipalArn: principal,
        AccessPolicies: [
          Match.objectLike({
            AccessScope: { Type: 'cluster' },
            PolicyArn: Match.objectLike({
              'Fn::Join': [
                '',
                Match.arrayWith([':eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy']),
              ],
            }),
          }),
        ],
      });
    }
  });
});

describe('kubectl provider network', () => {
  const providerFunctions = () =>
    Object.values(template.findResources('AWS::Lambda::Function')).filter((fn) =>
      fn.Metadata?.['aws:cdk:path']?.includes('/KubectlProvider/'),
    );
  const ownGroup = () =>
    logicalId('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('kubectl'),
    });

  test("runs in the VPC with a security group of the stack's own, not the cluster's", () => {
    const functions = providerFunctions();
    expect(functions).toHaveLength(2);
    for (const fn of functions) {
      expect(fn.Properties.VpcConfig.SecurityGroupIds).toEqual([
        { 'Fn::GetAtt': [ownGroup(), 'GroupId'] },
      ]);
    }
  });

  test("its group may reach the cluster's security group on 443, through a rule the stack owns", () => {
    const cluster = logicalId('AWS::EKS::Cluster');
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [cluster, 'ClusterSecurityGroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [ownGroup(), 'GroupId'] },
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
    });
  });

  test('with a public endpoint only, the provider stays outside the VPC and has no group', () => {
    const publicOnly = synthPlatform({ endpointAccess: 'public' });
    const functions = Object.values(publicOnly.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Metadata?.['aws:cdk:path']?.includes('/KubectlProvider/'),
    );
    expect(functions.map((fn) => fn.Properties.VpcConfig)).toEqual([undefined, undefined]);
    expect(
      publicOnly.findResources('AWS::EC2::SecurityGroup', {
        Properties: { GroupDescription: Match.stringLikeRegexp('kubectl') },
      }),
    ).toEqual({});
  });
});
