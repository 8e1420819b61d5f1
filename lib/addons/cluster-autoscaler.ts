import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { KUBERNETES_MINORS, KubernetesMinor } from '../../config';
import { HELM_RELEASE_OPTIONS } from '../private/helm-release';
import { acceptWildcards } from '../private/nag';
import { afterLoadBalancerController } from './load-balancer-admission';
import { PodIdentity } from './pod-identity';

const NAMESPACE = 'kube-system';
const SERVICE_ACCOUNT = 'cluster-autoscaler';

export interface ClusterAutoscalerProps {
  /** The cluster it scales; the chart goes into its `kube-system`, with its own Pod Identity. */
  readonly cluster: eks.Cluster;
  /** The literal name: IAM condition keys and discovery tags cannot hold a token. */
  readonly clusterName: string;
  /** Picks the chart and image (config/kubernetes-minors.ts): the autoscaler matches the cluster. */
  readonly kubernetesVersion: KubernetesMinor;
}

/**
 * The Kubernetes Cluster Autoscaler, installed with Helm. It discovers the node group's Auto
 * Scaling group by its tags, adds nodes while pods are pending (up to the group's max) and
 * removes idle ones (down to its min).
 * @see https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md
 */
export class ClusterAutoscaler extends Construct {
  /** The Helm release: its pods run on the nodes, so it must depend on the node group. */
  readonly chart: eks.HelmChart;

  constructor(scope: Construct, id: string, props: ClusterAutoscalerProps) {
    super(scope, id);
    const release = KUBERNETES_MINORS[props.kubernetesVersion].clusterAutoscaler;
    const { clusterName } = props;

    const identity = new PodIdentity(this, 'Identity', {
      cluster: props.cluster,
      namespace: NAMESPACE,
      serviceAccount: SERVICE_ACCOUNT,
    });
    // Describe calls have no resource-level permissions; the two calls that change capacity
    // are limited to Auto Scaling groups tagged as owned by this cluster.
    identity.role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'autoscaling:DescribeAutoScalingGroups',
          'autoscaling:DescribeAutoScalingInstances',
          'autoscaling:DescribeLaunchConfigurations',
          'autoscaling:DescribeScalingActivities',
          'autoscaling:DescribeTags',
          'ec2:DescribeImages',
          'ec2:DescribeInstanceTypes',
          'ec2:DescribeLaunchTemplateVersions',
          'ec2:GetInstanceTypesFromInstanceRequirements',
          'eks:DescribeNodegroup',
        ],
        resources: ['*'],
      }),
    );
    identity.role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'autoscaling:SetDesiredCapacity',
          'autoscaling:TerminateInstanceInAutoScalingGroup',
        ],
        resources: ['*'],
        conditions: {
          StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: 'owned' },
        },
      }),
    );

    acceptWildcards(
      identity.role,
      ['*'],
      "Describe calls have no resource-level permissions; the two write actions are limited by a tag condition to this cluster's Auto Scaling groups.",
    );

    this.chart = props.cluster.addHelmChart('ClusterAutoscaler', {
      repository: 'https://kubernetes.github.io/autoscaler',
      chart: 'cluster-autoscaler',
      release: 'cluster-autoscaler',
      version: release.chart,
      namespace: NAMESPACE,
      ...HELM_RELEASE_OPTIONS,
      values: {
        cloudProvider: 'aws',
        awsRegion: Stack.of(this).region,
        autoDiscovery: { clusterName },
        image: { tag: release.image },
        rbac: { serviceAccount: { create: true, name: SERVICE_ACCOUNT } },
        extraArgs: {
          'balance-similar-node-groups': true,
          'skip-nodes-with-system-pods': false,
          expander: 'least-waste',
        },
        resources: {
          requests: { cpu: '50m', memory: '128Mi' },
          limits: { memory: '300Mi' },
        },
        // The chart's default, stated: its one replica may always be moved by a drain.
        podDisruptionBudget: { maxUnavailable: 1 },
      },
    });
    this.chart.node.addDependency(identity.association);
    // The chart creates a Service (its metrics).
    afterLoadBalancerController(this.chart, props.cluster);
  }
}
