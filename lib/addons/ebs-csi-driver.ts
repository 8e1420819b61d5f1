import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { CustomResource } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EbsVolumesReleased } from '../volume-release';
import { acceptManagedPolicies } from '../private/nag';
import { afterLoadBalancerController } from './load-balancer-admission';
import { PodIdentity } from './pod-identity';

/** The controller's ServiceAccount, as created by the EKS add-on. */
const CONTROLLER_SERVICE_ACCOUNT = 'ebs-csi-controller-sa';
const DRIVER_POLICY = 'service-role/AmazonEBSCSIDriverPolicy';
/**
 * The tag, valued with the cluster's name, that the driver puts on every volume it creates, so a
 * destroy can tell which volumes are still to be deleted. The driver refuses extra tags under
 * `kubernetes.io` and its own `ebs.csi.aws.com/` prefix, hence a key of ours.
 */
const VOLUME_CLUSTER_TAG = 'eks-bitcoin-platform/cluster';

/**
 * The Amazon EBS CSI driver as an EKS add-on (provisioner `ebs.csi.aws.com`), with the AWS
 * managed driver policy granted to its controller through Pod Identity, and a waiter that on
 * destroy holds the driver back until the volumes it created are deleted.
 */
export class EbsCsiDriver extends Construct {
  /**
   * The `aws-ebs-csi-driver` add-on: its pods run on the nodes, so it must follow the node group.
   */
  readonly addon: eks.Addon;
  /** Whatever can own a claim must depend on this, so it is deleted before the waiter waits. */
  readonly volumesReleased: CustomResource;

  constructor(scope: Construct, id: string, props: { readonly cluster: eks.Cluster }) {
    super(scope, id);
    const identity = new PodIdentity(this, 'Identity', {
      cluster: props.cluster,
      namespace: 'kube-system',
      serviceAccount: CONTROLLER_SERVICE_ACCOUNT,
      managedPolicies: [DRIVER_POLICY],
    });
    acceptManagedPolicies(
      identity.role,
      [DRIVER_POLICY],
      'The policy the driver documents; it only deletes volumes and snapshots the driver tagged.',
    );
    this.addon = new eks.Addon(this, 'Addon', {
      cluster: props.cluster,
      addonName: 'aws-ebs-csi-driver',
      configurationValues: {
        controller: { extraVolumeTags: { [VOLUME_CLUSTER_TAG]: props.cluster.clusterName } },
      },
    });
    // A version update overwrites what EKS manages in the add-on's objects (NONE would fail it
    // on any drift); what we configure is in its configuration values, so nothing is lost.
    (this.addon.node.defaultChild as eks.CfnAddon).resolveConflicts = 'OVERWRITE';
    this.addon.node.addDependency(identity.association);
    // It may create a Service (its controller's metrics).
    afterLoadBalancerController(this.addon, props.cluster);

    this.volumesReleased = new EbsVolumesReleased(this, 'VolumesReleased', {
      clusterName: props.cluster.clusterName,
      tag: { key: VOLUME_CLUSTER_TAG, value: props.cluster.clusterName },
    }).resource;
    this.volumesReleased.node.addDependency(this.addon);
  }
}
