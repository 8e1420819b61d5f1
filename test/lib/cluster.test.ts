import { Match, Template } from 'aws-cdk-lib/assertions';
import { synthPlatform } from '../helpers/synth';
import { EXTRA_ADMIN, FIRST_DEPLOYER, platformTemplate } from '../helpers/template';

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

  test('grants cluster admin to the recorded first deployer and to adminPrincipalArns', () => {
    for (const principal of [FIRST_DEPLOYER, EXTRA_ADMIN]) {
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
  const RESTRICTED = ['203.0.113.0/24'];
  const inVpcTemplates = {
    'a public endpoint restricted to some addresses': synthPlatform({
      endpointPublicCidrs: RESTRICTED,
    }),
    'a private endpoint only': synthPlatform({ endpointAccess: 'private' }),
  };
  const outsideTemplates = {
    'a public endpoint open to every address (the default)': template,
    'a public endpoint only': synthPlatform({ endpointAccess: 'public' }),
  };

  const providerResources = (t: Template, type: string) =>
    Object.entries(t.findResources(type)).filter(([, r]) =>
      r.Metadata?.['aws:cdk:path']?.includes('/KubectlProvider/'),
    );
  const ownGroups = (t: Template) =>
    Object.keys(
      t.findResources('AWS::EC2::SecurityGroup', {
        Properties: { GroupDescription: Match.stringLikeRegexp('kubectl') },
      }),
    );

  test.each(Object.entries(outsideTemplates))(
    'with %s, the provider runs outside the VPC, with no group and no network-interface policy',
    (_, t) => {
      const functions = providerResources(t, 'AWS::Lambda::Function');
      expect(functions).toHaveLength(2);
      expect(functions.map(([, fn]) => fn.Properties.VpcConfig)).toEqual([undefined, undefined]);
      expect(ownGroups(t)).toEqual([]);
      const roles = providerResources(t, 'AWS::IAM::Role');
      expect(roles).toHaveLength(2);
      expect(JSON.stringify(roles)).not.toContain('AWSLambdaVPCAccessExecutionRole');
    },
  );

  test.each(Object.entries(inVpcTemplates))(
    "with %s, the provider runs in the VPC with a security group of the stack's own, let into the cluster's on 443",
    (_, t) => {
      const [group] = ownGroups(t);
      const functions = providerResources(t, 'AWS::Lambda::Function');
      expect(functions).toHaveLength(2);
      for (const [, fn] of functions) {
        expect(fn.Properties.VpcConfig.SecurityGroupIds).toEqual([
          { 'Fn::GetAtt': [group, 'GroupId'] },
        ]);
      }
      const [cluster] = Object.keys(t.findResources('AWS::EKS::Cluster'));
      t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { 'Fn::GetAtt': [cluster, 'ClusterSecurityGroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [group, 'GroupId'] },
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
      });
    },
  );
});
