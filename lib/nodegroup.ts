import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { type KubernetesMinor, NODE_ARCHITECTURE } from '../config';
import { acceptManagedPolicies } from './private/nag';

export interface NodeGroupProps {
  /** The cluster the nodes join. */
  readonly cluster: eks.Cluster;
  /** The literal name: tag keys cannot hold a token. */
  readonly clusterName: string;
  /** EC2 instance types the Auto Scaling group may launch. */
  readonly instanceTypes: string[];
  /**
   * The fewest nodes: the Cluster Autoscaler removes idle ones down to it.
   * @see https://docs.aws.amazon.com/eks/latest/APIReference/API_NodegroupScalingConfig.html
   */
  readonly minSize: number;
  /**
   * Nodes the group starts with; the Cluster Autoscaler changes it from there.
   * @see https://docs.aws.amazon.com/eks/latest/APIReference/API_NodegroupScalingConfig.html
   */
  readonly desiredSize: number;
  /**
   * The most nodes: the Cluster Autoscaler adds them for pending pods up to it.
   * @see https://docs.aws.amazon.com/eks/latest/APIReference/API_NodegroupScalingConfig.html
   */
  readonly maxSize: number;
  /** Root volume size in GiB. */
  readonly diskSize: number;
  /**
   * EC2 key pair for SSH.
   * @default - no key pair: SSM Session Manager is the way in
   */
  readonly sshKeyName?: string;
  /** The cluster's minor, which the nodes follow. */
  readonly kubernetesVersion: KubernetesMinor;
  /**
   * The AL2023 AMI release within the minor.
   * @default - the newest at creation and at each minor change, then kept
   */
  readonly releaseVersion?: string;
  /**
   * Nodes an update replaces at once.
   * @see https://docs.aws.amazon.com/eks/latest/APIReference/API_NodegroupUpdateConfig.html
   */
  readonly maxUnavailable: number;
  /**
   * Whether an update terminates a node whose pods a disruption budget still refuses to evict.
   * @see https://docs.aws.amazon.com/eks/latest/userguide/managed-node-update-behavior.html
   */
  readonly forceUpdate: boolean;
}

/** The AL2023 AMI of each architecture; config allows instance types of NODE_ARCHITECTURE only. */
const AL2023_AMI: Record<ec2.InstanceArchitecture, eks.NodegroupAmiType> = {
  [ec2.InstanceArchitecture.X86_64]: eks.NodegroupAmiType.AL2023_X86_64_STANDARD,
  [ec2.InstanceArchitecture.ARM_64]: eks.NodegroupAmiType.AL2023_ARM_64_STANDARD,
};

/**
 * The AWS managed policies a node needs, and nothing else. The VPC CNI's policy is not among
 * them: the CNI gets it through its own Pod Identity (`addons/vpc-cni.ts`).
 */
export const NODE_MANAGED_POLICIES = [
  'AmazonEKSWorkerNodePolicy',
  'AmazonEC2ContainerRegistryPullOnly',
  'AmazonSSMManagedInstanceCore',
];

/**
 * One hop: an IMDSv2 token answer does not survive the extra hop into a pod's network namespace,
 * so only the host and host-network pods reach the node's credentials. Every add-on that calls
 * AWS has an identity of its own; the EBS CSI node plugin, which needs no credentials, reads its
 * metadata from the Kubernetes API instead (docs/decisions.md).
 */
const METADATA_HOP_LIMIT = 1;

/**
 * An AL2023 managed node group whose instances require IMDSv2 and boot from an encrypted
 * volume. Its Auto Scaling group carries the tags the Cluster Autoscaler discovers it by. It
 * runs the cluster's minor: after the control plane moves, EKS rolls the nodes onto the new
 * minor's AMI, `maxUnavailable` at a time, draining each through the Eviction API.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/managed-node-update-behavior.html
 */
export class NodeGroup extends Construct {
  /** The nodes' IAM role, with the {@link NODE_MANAGED_POLICIES}. */
  readonly role: iam.Role;
  /** The managed node group: whatever runs on the nodes must depend on it. */
  readonly nodegroup: eks.Nodegroup;

  constructor(scope: Construct, id: string, props: NodeGroupProps) {
    super(scope, id);

    this.role = new iam.Role(this, 'NodeRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: NODE_MANAGED_POLICIES.map((name) =>
        iam.ManagedPolicy.fromAwsManagedPolicyName(name),
      ),
    });

    acceptManagedPolicies(
      this.role,
      NODE_MANAGED_POLICIES,
      'The AWS managed policies EKS documents for nodes (kubelet, ECR pull, SSM shell); AWS updates them with the services.',
    );

    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      requireImdsv2: true,
      httpPutResponseHopLimit: METADATA_HOP_LIMIT,
      keyPair: props.sshKeyName
        ? ec2.KeyPair.fromKeyPairName(this, 'SshKey', props.sshKeyName)
        : undefined,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(props.diskSize, {
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            encrypted: true,
            deleteOnTermination: true,
          }),
        },
      ],
    });

    const { clusterName } = props;
    this.nodegroup = props.cluster.addNodegroupCapacity('Default', {
      amiType: AL2023_AMI[NODE_ARCHITECTURE],
      instanceTypes: props.instanceTypes.map((t) => new ec2.InstanceType(t)),
      minSize: props.minSize,
      desiredSize: props.desiredSize,
      maxSize: props.maxSize,
      nodeRole: this.role,
      launchTemplateSpec: {
        id: launchTemplate.launchTemplateId!,
        version: launchTemplate.latestVersionNumber,
      },
      subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      releaseVersion: props.releaseVersion,
      maxUnavailable: props.maxUnavailable,
      forceUpdate: props.forceUpdate,
      // EKS copies these to the Auto Scaling group; the Cluster Autoscaler finds it by them.
      tags: {
        'k8s.io/cluster-autoscaler/enabled': 'true',
        [`k8s.io/cluster-autoscaler/${clusterName}`]: 'owned',
      },
    });
    // aws-eks-v2 leaves Version unset (the nodes would then keep the minor they were created
    // with); naming it makes a change of the cluster's minor roll the nodes, after the control
    // plane, since the node group depends on the cluster.
    (this.nodegroup.node.defaultChild as eks.CfnNodegroup).version = props.kubernetesVersion;
  }
}
