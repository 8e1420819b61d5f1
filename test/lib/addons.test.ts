import { Match } from 'aws-cdk-lib/assertions';
import { platformTemplate } from '../helpers/template';

// Synthesised once for the whole file: a full synth takes seconds.
const { template, resources, logicalId, dependsOn } = platformTemplate();

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
    expect(values).toContain('\\"tag\\":\\"v1.36.');
    expect(values).toContain('\\"autoDiscovery\\":{\\"clusterName\\":\\"bitcoin-platform\\"}');
    const association = logicalId('AWS::EKS::PodIdentityAssociation', {
      ServiceAccount: 'cluster-autoscaler',
    });
    expect(dependsOn(chart)).toEqual(expect.arrayContaining([association, nodegroup]));
  });

  test('the Helm charts give their pods a disruption budget a drain can satisfy', () => {
    for (const Chart of ['cluster-autoscaler', 'aws-load-balancer-controller']) {
      const chart = logicalId('Custom::AWSCDK-EKS-HelmChart', { Chart });
      const values = JSON.stringify(resources[chart].Properties.Values);
      expect([Chart, values]).toEqual([
        Chart,
        expect.stringContaining('\\"podDisruptionBudget\\":{\\"maxUnavailable\\":1}'),
      ]);
    }
  });

  test('installs the AWS Load Balancer Controller after the nodes, waiting on uninstall', () => {
    const chart = logicalId('Custom::AWSCDK-EKS-HelmChart', {
      Chart: 'aws-load-balancer-controller',
      Wait: true,
    });
    expect(dependsOn(chart)).toContain(nodegroup);
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
