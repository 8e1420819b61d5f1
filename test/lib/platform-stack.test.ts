import { Match } from 'aws-cdk-lib/assertions';
import { NODE_MANAGED_POLICIES } from '../../lib/nodegroup';
import { maskedJson, synthPlatform } from '../helpers/synth';

const DEPLOYER = {
  account: '123456789012',
  principalArn: 'arn:aws:iam::123456789012:role/Deployer',
};
const EXTRA_ADMIN = 'arn:aws:iam::123456789012:role/PlatformTeam';

// Synthesised once for the whole file: a full synth takes seconds.
const template = synthPlatform({ adminPrincipalArns: [EXTRA_ADMIN] }, DEPLOYER);
const resources = template.toJSON().Resources as Record<
  string,
  { Type: string; Properties?: any; DependsOn?: string[] }
>;

/** The one resource of `type` with these properties (and, if given, this construct path part). */
function logicalId(type: string, props: Record<string, unknown> = {}, pathPart?: string): string {
  const found = Object.entries(
    template.findResources(type, { Properties: Match.objectLike(props) }),
  )
    .filter(([, r]) => !pathPart || r.Metadata?.['aws:cdk:path']?.includes(`/${pathPart}/`))
    .map(([id]) => id);
  expect(found).toHaveLength(1);
  return found[0];
}

function dependsOn(id: string): string[] {
  return resources[id].DependsOn ?? [];
}

describe('VPC', () => {
  test('has a public and a private subnet in each of two AZs, and one NAT gateway', () => {
    template.resourceCountIs('AWS::EC2::Subnet', 4);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
  });

  test('tags subnets so that load balancers find them', () => {
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet'));
    const tagKeys = (s: any) => s.Properties.Tags.map((t: { Key: string }) => t.Key);
    expect(subnets.filter((s) => tagKeys(s).includes('kubernetes.io/role/elb'))).toHaveLength(2);
    expect(
      subnets.filter((s) => tagKeys(s).includes('kubernetes.io/role/internal-elb')),
    ).toHaveLength(2);
  });

  test('logs rejected flows', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      TrafficType: 'REJECT',
      ResourceType: 'VPC',
    });
  });
});

describe('IAM', () => {
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
    expect(NODE_MANAGED_POLICIES).toEqual([
      'AmazonEKSWorkerNodePolicy',
      'AmazonEKS_CNI_Policy',
      'AmazonEC2ContainerRegistryPullOnly',
      'AmazonSSMManagedInstanceCore',
    ]);
  });

  test('the cluster role is assumed by EKS', () => {
    logicalId('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'eks.amazonaws.com' } })],
      }),
    });
  });

  test('no inline policy grants a wildcard action', () => {
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        for (const action of [statement.Action].flat()) expect(action).not.toMatch(/\*/);
      }
    }
  });

  test("cluster-autoscaler may only change capacity of this cluster's groups", () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: [
              'autoscaling:SetDesiredCapacity',
              'autoscaling:TerminateInstanceInAutoScalingGroup',
            ],
            Condition: {
              StringEquals: {
                'aws:ResourceTag/k8s.io/cluster-autoscaler/bitcoin-platform': 'owned',
              },
            },
          }),
        ]),
      },
    });
  });
});

describe('EKS cluster', () => {
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

describe('node group', () => {
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
});

describe('add-ons', () => {
  const nodegroup = logicalId('AWS::EKS::Nodegroup');

  test('installs the EBS CSI driver with a Pod Identity role for its controller', () => {
    const addon = logicalId('AWS::EKS::Addon', { AddonName: 'aws-ebs-csi-driver' });
    const association = logicalId('AWS::EKS::PodIdentityAssociation', {
      ServiceAccount: 'ebs-csi-controller-sa',
    });
    expect(dependsOn(addon)).toEqual(expect.arrayContaining([association, nodegroup]));
  });

  test('takes over the VPC CNI as an add-on that enforces NetworkPolicies', () => {
    const cni = logicalId('AWS::EKS::Addon', {
      AddonName: 'vpc-cni',
      ResolveConflicts: 'OVERWRITE',
      PreserveOnDelete: true,
    });
    expect(JSON.parse(resources[cni].Properties.ConfigurationValues)).toEqual({
      enableNetworkPolicy: 'true',
    });
    expect(dependsOn(cni)).toContain(nodegroup);
  });

  test('installs metrics-server', () => {
    const addon = logicalId('AWS::EKS::Addon', { AddonName: 'metrics-server' });
    expect(dependsOn(addon)).toContain(nodegroup);
  });

  test('installs the Cluster Autoscaler matched to the cluster minor, waiting on uninstall', () => {
    const chart = logicalId('Custom::AWSCDK-EKS-HelmChart', {
      Chart: 'cluster-autoscaler',
      Version: '9.59.0',
      Wait: true,
      Namespace: 'kube-system',
    });
    const values = JSON.stringify(resources[chart].Properties.Values);
    expect(values).toContain('\\"tag\\":\\"v1.35.');
    expect(values).toContain('\\"autoDiscovery\\":{\\"clusterName\\":\\"bitcoin-platform\\"}');
    const association = logicalId('AWS::EKS::PodIdentityAssociation', {
      ServiceAccount: 'cluster-autoscaler',
    });
    expect(dependsOn(chart)).toEqual(expect.arrayContaining([association, nodegroup]));
  });

  test('installs the AWS Load Balancer Controller after the nodes, waiting on uninstall', () => {
    const chart = logicalId('Custom::AWSCDK-EKS-HelmChart', {
      Chart: 'aws-load-balancer-controller',
      Wait: true,
    });
    expect(dependsOn(chart)).toContain(nodegroup);
  });
});

describe('Kubernetes charts', () => {
  const manifest = (name: string) =>
    logicalId('Custom::AWSCDK-EKS-KubernetesResource', {}, `chart-${name}`);
  const nodegroup = logicalId('AWS::EKS::Nodegroup');
  const addon = (name: string) => logicalId('AWS::EKS::Addon', { AddonName: name });
  const loadBalancerController = logicalId('Custom::AWSCDK-EKS-HelmChart', {
    Chart: 'aws-load-balancer-controller',
  });

  test.each([
    ['namespaces', []],
    ['storage', ['namespaces']],
    ['workloads', ['storage']],
    ['ingress', ['workloads']],
    ['autoscaling', ['ingress']],
    ['bitcoin-crd', []],
    ['bitcoin-operator', ['bitcoin-crd']],
    ['bitcoin-sample', ['bitcoin-operator']],
  ])('%s is applied after %j and the node group', (name, before) => {
    expect(dependsOn(manifest(name))).toEqual(
      expect.arrayContaining([nodegroup, ...before.map(manifest)]),
    );
  });

  test('objects that make AWS resources are deleted before the controllers that clean them up', () => {
    expect(dependsOn(manifest('storage'))).toContain(addon('aws-ebs-csi-driver'));
    expect(dependsOn(manifest('workloads'))).toContain(loadBalancerController);
    expect(dependsOn(manifest('ingress'))).toContain(loadBalancerController);
    expect(dependsOn(manifest('autoscaling'))).toContain(addon('metrics-server'));
    // Its webhook admits every Service, including the operator's; the CNI enforces every
    // chart's NetworkPolicies.
    for (const name of ['namespaces', 'bitcoin-crd', 'bitcoin-operator', 'bitcoin-sample']) {
      expect(dependsOn(manifest(name))).toContain(loadBalancerController);
      expect(dependsOn(manifest(name))).toContain(addon('vpc-cni'));
    }
  });

  test('the CRD is applied on its own, before any BitcoinNetwork', () => {
    const crd = JSON.stringify(resources[manifest('bitcoin-crd')].Properties.Manifest);
    expect(crd).toContain('CustomResourceDefinition');
    expect(crd).not.toContain('"kind\\":\\"BitcoinNetwork\\",\\"metadata');
    expect(JSON.stringify(resources[manifest('bitcoin-sample')].Properties.Manifest)).toContain(
      'BitcoinNetwork',
    );
  });

  test('the controller image comes from the ECR asset unless a prebuilt one is configured', () => {
    const operator = JSON.stringify(resources[manifest('bitcoin-operator')].Properties.Manifest);
    expect(operator).toContain('.dkr.ecr.');
    const prebuilt = synthPlatform({ controllerImage: 'ghcr.io/example/bitcoin-controller:1.2.3' });
    const manifests = Object.values(
      prebuilt.findResources('Custom::AWSCDK-EKS-KubernetesResource'),
    );
    expect(JSON.stringify(manifests)).toContain('ghcr.io/example/bitcoin-controller:1.2.3');
  });
});

test('outputs the cluster name, region, kubeconfig command, node role and VPC', () => {
  const outputs = Object.keys(template.toJSON().Outputs);
  expect(outputs).toEqual(
    expect.arrayContaining(['ClusterName', 'Region', 'KubeconfigCommand', 'NodeRoleArn', 'VpcId']),
  );
  template.hasOutput('KubeconfigCommand', {
    Value: {
      'Fn::Join': [
        '',
        [
          'aws eks update-kubeconfig --name ',
          Match.anyValue(),
          ' --region ',
          { Ref: 'AWS::Region' },
        ],
      ],
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

test('template snapshot', () => {
  expect(maskedJson(template)).toMatchSnapshot();
});
