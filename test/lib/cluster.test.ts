import { Match } from 'aws-cdk-lib/assertions';
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
      Version: '1.35',
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
      Description: Match.stringLikeRegexp('kubectl.*1\\.35|1\\.35.*kubectl'),
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
