import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EndpointMode, KubernetesMinor, SupportType } from '../config';
import { ClusterLogGroup } from './cluster-log-group';
import { kubectlLayer } from './kubectl-layers';
import { skipCheckov } from './private/checkov';
import { boundHelmRelease } from './private/helm-release';
import {
  VPC_ACCESS_POLICY,
  keepKubectlProviderOutOfVpc,
} from './private/kubectl-provider-outside-vpc';
import { acceptManagedPolicies, acceptRule, acceptWildcards } from './private/nag';

export interface EksClusterProps {
  /** The VPC whose private subnets hold the control plane's network interfaces. */
  readonly vpc: ec2.IVpc;
  /** The literal name: the Secrets key's description and the log group's name are built from it. */
  readonly clusterName: string;
  /**
   * The control plane's minor; the kubectl provider's layer is the same minor's.
   * @see https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html
   */
  readonly kubernetesVersion: KubernetesMinor;
  /**
   * What EKS does when the minor leaves standard support.
   * @see https://docs.aws.amazon.com/eks/latest/userguide/view-upgrade-policy.html
   */
  readonly upgradePolicy: SupportType;
  /**
   * Where the API server can be reached from: the internet, the VPC, or both. With
   * `endpointPublicCidrs`, it also decides whether the kubectl provider runs in the VPC.
   * @see https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html
   */
  readonly endpointAccess: EndpointMode;
  /** CIDRs that may reach a public endpoint. */
  readonly endpointPublicCidrs: string[];
  /**
   * Days CloudWatch Logs keeps the control-plane logs.
   * @see https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html
   */
  readonly controlPlaneLogRetentionDays: number;
}

const ELB_RESOURCES = [
  'listener-rule/app/*/*/*',
  'listener-rule/net/*/*/*',
  'listener/app/*/*/*',
  'listener/net/*/*/*',
  'loadbalancer/app/*/*',
  'loadbalancer/net/*/*',
  'targetgroup/*/*',
].map((r) => `arn:<AWS::Partition>:elasticloadbalancing:*:*:${r}`);

/**
 * The EKS control plane: its IAM role, envelope encryption of Secrets, full control-plane
 * logging to a group that expires and goes with the stack, access entries for authentication,
 * and a kubectl provider so that charts can be applied from CloudFormation.
 */
export class EksCluster extends Construct {
  /** The aws-eks-v2 cluster, which the node group, add-ons, charts and admins are added to. */
  readonly cluster: eks.Cluster;

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);

    const role = new iam.Role(this, 'ClusterRole', {
      assumedBy: new iam.ServicePrincipal('eks.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEKSClusterPolicy')],
    });

    const secretsKey = new kms.Key(this, 'SecretsKey', {
      description: `Envelope encryption of Kubernetes Secrets in ${props.clusterName}`,
      enableKeyRotation: true,
      // Nothing outlives the cluster that this key decrypts, so `cdk destroy` schedules it for
      // deletion (after the shortest waiting period) instead of leaving a billed key behind.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });

    const kubectlInVpc = kubectlProviderInVpc(props.endpointAccess, props.endpointPublicCidrs);
    const kubectlSecurityGroup = kubectlInVpc ? this.kubectlSecurityGroup(props.vpc) : undefined;
    this.cluster = new eks.Cluster(this, 'Cluster', {
      clusterName: props.clusterName,
      version: eks.KubernetesVersion.of(props.kubernetesVersion),
      vpc: props.vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
      role,
      secretsEncryptionKey: secretsKey,
      endpointAccess: endpointAccess(props.endpointAccess, props.endpointPublicCidrs),
      clusterLogging: [
        eks.ClusterLoggingTypes.API,
        eks.ClusterLoggingTypes.AUDIT,
        eks.ClusterLoggingTypes.AUTHENTICATOR,
        eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
        eks.ClusterLoggingTypes.SCHEDULER,
      ],
      // Nodes come from our own managed node group, not from Auto Mode or default capacity.
      defaultCapacity: 0,
      defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
      kubectlProviderOptions: {
        kubectlLayer: kubectlLayer(this, 'KubectlLayer', props.kubernetesVersion),
        securityGroups: kubectlSecurityGroup && [kubectlSecurityGroup],
      },
      // Serves Ingresses (ALB) and LoadBalancer Services (NLB); the in-tree cloud provider
      // would only make Classic Load Balancers.
      albController: {
        version: eks.AlbControllerVersion.V3_2_2,
        // The Service mutator would make the controller the default for every LoadBalancer
        // Service, and refuses every new Service in the cluster while its pods are not serving.
        // Our NLB Service names the controller with `loadBalancerClass` already.
        // Its chart renders no disruption budget by default: a drain (or the Cluster Autoscaler,
        // which may remove nodes with system pods) could take both replicas at once, and with
        // them the webhooks that admit Ingresses.
        additionalHelmChartValues: {
          enableServiceMutatorWebhook: false,
          podDisruptionBudget: { maxUnavailable: 1 },
        },
      },
      outputConfigCommand: false,
    });

    // Named, so that nobody lands in extended support (six times the fee) without choosing it.
    (this.cluster.node.defaultChild as eks.CfnCluster).upgradePolicy = {
      supportType: props.upgradePolicy,
    };

    // Made before the cluster (so EKS finds it) and deleted after it (EKS logs until it is gone).
    const controlPlaneLogs = new ClusterLogGroup(this, 'ControlPlaneLogs', {
      clusterName: props.clusterName,
      retentionDays: props.controlPlaneLogRetentionDays,
    });
    this.cluster.node.defaultChild!.node.addDependency(controlPlaneLogs.resource);

    kubectlSecurityGroup?.connections.allowTo(
      this.cluster.clusterSecurityGroup,
      ec2.Port.tcp(443),
      'kubectl provider Lambdas to the private endpoint',
    );
    if (!kubectlInVpc) keepKubectlProviderOutOfVpc(this.cluster.node.findChild('KubectlProvider'));
    // aws-cdk-lib gives the controller's release 15 minutes, as long as the Lambda that runs it.
    boundHelmRelease(this.cluster.albController!.node.findChild('Resource') as eks.HelmChart);

    acceptManagedPolicies(
      role,
      ['AmazonEKSClusterPolicy'],
      'The policy EKS documents for the cluster role; AWS keeps it in step with the service.',
    );
    this.acknowledgeLibraryFindings(kubectlInVpc);
  }

  /**
   * For kubectl provider Lambdas in the VPC. By default they would use the cluster security group,
   * which EKS owns: their network interfaces outlive the functions by 20 to 40 minutes and hold
   * that group, so nothing in the stack can wait for them and destroy can fail on the subnets or
   * the VPC. With a group of the stack's own, CloudFormation deletes the group (retrying until the
   * interfaces are gone) before the subnets.
   */
  private kubectlSecurityGroup(vpc: ec2.IVpc): ec2.SecurityGroup {
    const group = new ec2.SecurityGroup(this, 'KubectlProviderSecurityGroup', {
      vpc,
      description: 'kubectl provider Lambdas: the cluster endpoint and AWS APIs over HTTPS',
      allowAllOutbound: false,
    });
    group.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'AWS APIs and chart repositories, through the NAT gateway',
    );
    return group;
  }

  /**
   * The kubectl provider and the AWS Load Balancer Controller are written by aws-cdk-lib with
   * the permissions their upstream projects publish; these are the findings we accept there.
   */
  private acknowledgeLibraryFindings(kubectlInVpc: boolean): void {
    const kubectlProvider = this.cluster.node.findChild('KubectlProvider');
    // cdk-nag names what it found by logical IDs, which CDK derives from the construct paths.
    const stack = Stack.of(this);
    const handler = kubectlProvider.node.findChild('Handler');
    const handlerId = stack.getLogicalId(handler.node.defaultChild as CfnElement);
    const ecrPublicId = stack.getLogicalId(handler.node.findChild('HasEcrPublic') as CfnElement);
    const ecrPublicPolicy = `{"Fn::If":["${ecrPublicId}",{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly"]]},{"Ref":"AWS::NoValue"}]}`;
    acceptManagedPolicies(
      kubectlProvider,
      [
        'service-role/AWSLambdaBasicExecutionRole',
        ...(kubectlInVpc ? [VPC_ACCESS_POLICY] : []),
        'AmazonEC2ContainerRegistryReadOnly',
      ],
      'The kubectl Lambda needs logs, to read its image layers and, in the VPC, network interfaces; aws-cdk-lib attaches the AWS managed policies for exactly that.',
    );
    Validations.of(kubectlProvider).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM4[Policy::${ecrPublicPolicy}]`,
      reason:
        'Attached by aws-cdk-lib only in regions where the kubectl image comes from ECR Public.',
    });
    acceptWildcards(
      kubectlProvider,
      [`<${handlerId}.Arn>:*`],
      'The provider framework may invoke any version of its own handler function, and nothing else.',
    );
    acceptRule(
      kubectlProvider,
      'L1',
      'aws-cdk-lib pins the kubectl handler to the runtime its bundled layer is built and tested for.',
    );
    if (this.cluster.albController) {
      const policy = this.cluster.albController.node
        .findAll()
        .find((c) => c instanceof iam.CfnPolicy);
      skipCheckov(policy as iam.CfnPolicy, [
        {
          id: 'CKV_AWS_111',
          comment:
            'the policy the AWS Load Balancer Controller project publishes; it creates and tags ELB resources whose names it chooses at run time, and its writes are conditioned on its own tags',
        },
      ]);
      acceptWildcards(
        this.cluster.albController,
        ['*', 'arn:<AWS::Partition>:ec2:*:*:security-group/*', ...ELB_RESOURCES],
        'The IAM policy the AWS Load Balancer Controller project publishes: describe calls have no resource-level permissions, and the controller names the load balancers, target groups and security groups it creates at run time.',
      );
    }
  }
}

/**
 * aws-eks-v2 runs the kubectl provider in the VPC whenever the private endpoint is on. It must be
 * there only when the public endpoint is off or restricted to some addresses, which Lambda's
 * outside addresses are not; otherwise it stays out, and a destroy does not wait 20 to 40 minutes
 * for Lambda to release its network interfaces.
 */
function kubectlProviderInVpc(mode: EndpointMode, publicCidrs: readonly string[]): boolean {
  switch (mode) {
    case EndpointMode.PRIVATE:
      return true;
    case EndpointMode.PUBLIC:
      return false;
    case EndpointMode.PUBLIC_AND_PRIVATE:
      return publicCidrs.join() !== '0.0.0.0/0';
  }
}

function endpointAccess(mode: EndpointMode, publicCidrs: string[]): eks.EndpointAccess {
  switch (mode) {
    case EndpointMode.PRIVATE:
      return eks.EndpointAccess.PRIVATE;
    case EndpointMode.PUBLIC:
      return eks.EndpointAccess.PUBLIC;
    case EndpointMode.PUBLIC_AND_PRIVATE:
      return eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...publicCidrs);
  }
}
