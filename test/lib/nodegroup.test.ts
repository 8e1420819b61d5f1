import { Match } from 'aws-cdk-lib/assertions';
import { NODE_MANAGED_POLICIES } from '../../lib/nodegroup';
import { synthPlatform } from '../helpers/synth';
import { platformTemplate } from '../helpers/template';

// Synthesised once for the whole file: a full synth takes seconds.
const { template, resources, logicalId } = platformTemplate();

describe('node group', () => {
  test('the node role has exactly the managed policies nodes need', () => {
    const role =
      resources[
        logicalId('AWS::IAM::Role', {
          AssumeRolePolicyDocument: Match.objectLike({
            Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })],
          }),
        })
      ];
    const arns = role.Properties.ManagedPolicyArns.map((a: any) => a['Fn::Join'][1][2]);
    expect(arns).toEqual(NODE_MANAGED_POLICIES.map((p) => `:iam::aws:policy/${p}`));
    // Not AmazonEKS_CNI_Policy: the VPC CNI has its own identity, out of other pods' reach.
    expect(NODE_MANAGED_POLICIES).toEqual([
      'AmazonEKSWorkerNodePolicy',
      'AmazonEC2ContainerRegistryPullOnly',
      'AmazonSSMManagedInstanceCore',
    ]);
  });

  test("lets no pod outside the host's network reach instance metadata: IMDSv2 with one hop", () => {
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        MetadataOptions: Match.objectLike({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 }),
      }),
    });
  });

  test('is an AL2023 managed node group with the configured sizes', () => {
    template.hasResourceProperties('AWS::EKS::Nodegroup', {
      AmiType: 'AL2023_x86_64_STANDARD',
      InstanceTypes: ['t3.medium'],
      ScalingConfig: { MinSize: 1, DesiredSize: 2, MaxSize: 3 },
    });
  });

  test('requires IMDSv2 and an encrypted root volume', () => {
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        MetadataOptions: Match.objectLike({ HttpTokens: 'required' }),
        BlockDeviceMappings: [
          { DeviceName: '/dev/xvda', Ebs: Match.objectLike({ Encrypted: true, VolumeSize: 20 }) },
        ],
      }),
    });
  });

  test('carries the Cluster Autoscaler discovery tags', () => {
    template.hasResourceProperties('AWS::EKS::Nodegroup', {
      Tags: {
        'k8s.io/cluster-autoscaler/enabled': 'true',
        'k8s.io/cluster-autoscaler/bitcoin-platform': 'owned',
      },
    });
  });

  test('an SSH key is optional and reaches the launch template only when configured', () => {
    expect(JSON.stringify(template.toJSON())).not.toContain('KeyName');
    const withKey = synthPlatform({ sshKeyName: 'ops' });
    withKey.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ KeyName: 'ops' }),
    });
  });
});
