import * as path from 'path';
import { Annotations, CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { InstanceArchitecture } from 'aws-cdk-lib/aws-ec2';
import { DockerImageAsset, Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { ClusterAutoscaler } from './addons/cluster-autoscaler';
import { EbsCsiDriver } from './addons/ebs-csi-driver';
import { MetricsServer } from './addons/metrics-server';
import { CoreDns } from './addons/core-dns';
import { KubeProxy } from './addons/kube-proxy';
import { VpcCni } from './addons/vpc-cni';
import { EksAddonVersions } from './addon-versions';
import { AdminEntryIds, grantAdmin } from './admin-entries';
import { EksCluster } from './cluster';
import { ClusterAddon } from '../k8s/platform';
import type { KeptClaimNames } from '../k8s/storage-chart';
import { ClusterCharts } from './cluster-charts';
import { AppConfig, NODE_ARCHITECTURE } from '../config';
import { Network } from './network';
import { ReplacementGuard } from './replacement-guard';
import { NodeGroup } from './nodegroup';

export interface PlatformStackProps extends StackProps {
  /**
   * The configuration, read from context and defaulted: every setting of the stack.
   * @see docs/configuration.md
   */
  readonly config: AppConfig;
  /**
   * The cluster admins recorded in cdk.context.json (the first deployer), granted cluster admin
   * besides `adminPrincipalArns` whoever deploys; none when synthesising offline.
   * @default - none
   */
  readonly recordedAdmins?: readonly string[];
  /**
   * The logical IDs the deployed stack's admin entries have, by principal (recorded in
   * cdk.context.json), kept so that CloudFormation updates those entries in place.
   * @default - every entry gets the logical ID derived from its principal
   */
  readonly keptAdminEntryIds?: AdminEntryIds;
  /**
   * The names the deployed stack's claims have where this version names them otherwise
   * (recorded in cdk.context.json), kept so that no claim is deleted with its volume.
   * @default - every claim gets the name this version gives it
   */
  readonly keptClaimNames?: KeptClaimNames;
  /**
   * The container builder `cdk deploy` would run for the controller image (`$CDK_DOCKER`, else
   * `docker`), when this machine's PATH lacks it: synth then warns, since the first deploy would
   * stop at asset publishing. Unused with a prebuilt `controllerImage`.
   * @default - the builder is there
   */
  readonly missingImageBuilder?: string;
}

const IMAGE_PLATFORM: Record<InstanceArchitecture, Platform> = {
  [InstanceArchitecture.X86_64]: Platform.LINUX_AMD64,
  [InstanceArchitecture.ARM_64]: Platform.LINUX_ARM64,
};

/** The missing-builder warning's id, printed with it, which `Annotations.acknowledgeWarning` takes. */
const NO_IMAGE_BUILDER_WARNING = 'eks-bitcoin-platform:noImageBuilder';

/**
 * The whole environment in one stack, so that CloudFormation orders creation and deletion:
 * Kubernetes objects go before the add-ons and nodes they need, and those before the
 * cluster and the VPC.
 */
export class PlatformStack extends Stack {
  /** The VPC and its flow logs. */
  readonly network: Network;
  /** The EKS control plane and its kubectl provider. */
  readonly eks: EksCluster;
  /** The managed node group the cluster's pods run on. */
  readonly nodes: NodeGroup;
  /** The cdk8s charts: the platform's and the operator's, applied in order. */
  readonly charts: ClusterCharts;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const { infra } = props.config;

    this.network = new Network(this, 'Network', {
      cidr: infra.vpcCidr,
      maxAzs: infra.maxAzs,
      natGateways: infra.natGateways,
    });

    this.eks = new EksCluster(this, 'Eks', {
      vpc: this.network.vpc,
      clusterName: infra.clusterName,
      kubernetesVersion: infra.kubernetesVersion,
      upgradePolicy: infra.upgradePolicy,
      endpointAccess: infra.endpointAccess,
      endpointPublicCidrs: infra.endpointPublicCidrs,
      controlPlaneLogRetentionDays: infra.controlPlaneLogRetentionDays,
    });
    const cluster = this.eks.cluster;
    new ReplacementGuard(this, 'ReplacementGuard', {
      vpc: this.network.vpc,
      cluster: cluster.node.defaultChild as eks.CfnCluster,
    });

    const admins = new Set([...infra.adminPrincipalArns, ...(props.recordedAdmins ?? [])]);
    for (const arn of admins) grantAdmin(cluster, arn, props.keptAdminEntryIds?.[arn]);

    this.nodes = new NodeGroup(this, 'Nodes', {
      cluster,
      clusterName: infra.clusterName,
      instanceTypes: infra.nodeInstanceTypes,
      minSize: infra.nodeMinSize,
      desiredSize: infra.nodeDesiredSize,
      maxSize: infra.nodeMaxSize,
      diskSize: infra.nodeDiskSize,
      sshKeyName: infra.sshKeyName,
      kubernetesVersion: infra.kubernetesVersion,
      releaseVersion: infra.nodeReleaseVersion,
      maxUnavailable: infra.nodeMaxUnavailable,
      forceUpdate: infra.nodeForceUpdate,
    });

    // The CNI's identity exists before any node starts, and the node role gives up the CNI's
    // policy only once it does (on a stack deployed before the CNI had an identity of its own).
    const vpcCni = new VpcCni(this, 'VpcCni', { cluster }).addon;
    this.nodes.nodegroup.node.addDependency(vpcCni);
    this.nodes.role.node.addDependency(vpcCni);

    // Other add-ons run on the nodes, so they are created after the node group and deleted before it.
    const ebsCsi = new EbsCsiDriver(this, 'EbsCsiDriver', { cluster });
    const ebsCsiDriver = ebsCsi.addon;
    const metricsServer = new MetricsServer(this, 'MetricsServer', { cluster }).addon;
    const clusterAutoscaler = new ClusterAutoscaler(this, 'ClusterAutoscaler', {
      cluster,
      clusterName: infra.clusterName,
      kubernetesVersion: infra.kubernetesVersion,
    }).chart;
    const coreDns = new CoreDns(this, 'CoreDns', { cluster }).addon;
    const kubeProxy = new KubeProxy(this, 'KubeProxy', { cluster }).addon;
    const loadBalancerController = cluster.albController!;
    for (const addon of [
      coreDns,
      kubeProxy,
      ebsCsiDriver,
      metricsServer,
      clusterAutoscaler,
      loadBalancerController,
    ]) {
      addon.node.addDependency(this.nodes.nodegroup);
    }

    // Every EKS add-on runs the version EKS names as default for the cluster's minor, looked up
    // after the control plane moves; with the dependencies above, a version change updates the
    // control plane, the VPC CNI (which the nodes need), then the nodes, then the other add-ons.
    const addonVersions = new EksAddonVersions(this, 'AddonVersions', {
      cluster,
      kubernetesVersion: infra.kubernetesVersion,
    });
    const podIdentityAgent = cluster.eksPodIdentityAgent!;
    // As for our own add-ons: a version update must not fail on drift in what EKS manages.
    (podIdentityAgent.node.defaultChild as eks.CfnAddon).resolveConflicts = 'OVERWRITE';
    for (const addon of [vpcCni, coreDns, kubeProxy, ebsCsiDriver, metricsServer, podIdentityAgent])
      addonVersions.follow(addon);

    this.charts = new ClusterCharts(this, 'Charts', {
      cluster,
      config: props.config,
      controllerImage:
        props.config.operator.controllerImage ??
        this.controllerImageAsset(props.missingImageBuilder).imageUri,
      nodes: this.nodes.nodegroup,
      volumesReleased: ebsCsi.volumesReleased,
      keptClaimNames: props.keptClaimNames,
      addons: {
        [ClusterAddon.EBS_CSI_DRIVER]: ebsCsiDriver,
        [ClusterAddon.LOAD_BALANCER_CONTROLLER]: loadBalancerController,
        [ClusterAddon.METRICS_SERVER]: metricsServer,
        [ClusterAddon.VPC_CNI]: vpcCni,
      },
    });

    new CfnOutput(this, 'ClusterName', { value: cluster.clusterName });
    new CfnOutput(this, 'Region', { value: this.region });
    new CfnOutput(this, 'KubeconfigCommand', {
      description: 'Connects kubectl to the cluster',
      value: `aws eks update-kubeconfig --name ${cluster.clusterName} --region ${this.region}`,
    });
    new CfnOutput(this, 'NodeRoleArn', { value: this.nodes.role.roleArn });
    new CfnOutput(this, 'VpcId', { value: this.network.vpc.vpcId });
  }

  /** The controller image, built from `controller/Dockerfile` and pushed to ECR on deploy. */
  private controllerImageAsset(missingBuilder: string | undefined): DockerImageAsset {
    const asset = new DockerImageAsset(this, 'ControllerImage', {
      directory: path.join(__dirname, '..'),
      file: 'controller/Dockerfile',
      // Built for the nodes; on a machine of another architecture the builder must cross-build.
      platform: IMAGE_PLATFORM[NODE_ARCHITECTURE],
    });
    if (missingBuilder) {
      Annotations.of(asset).addWarningV2(
        NO_IMAGE_BUILDER_WARNING,
        `cdk deploy builds the controller image (linux/amd64) with ${missingBuilder}, which is not on PATH: ` +
          'the first deploy would stop at asset publishing. Install Docker or point CDK_DOCKER at ' +
          'a compatible builder (finch, podman), or set controllerImage to a prebuilt, pinned image.',
      );
    }
    return asset;
  }
}
