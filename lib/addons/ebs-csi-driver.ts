import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { acceptManagedPolicies } from '../private/nag';
import { afterLoadBalancerController } from './load-balancer-admission';
import { PodIdentity } from './pod-identity';

/** The controller's ServiceAccount, as created by the EKS add-on. */
const CONTROLLER_SERVICE_ACCOUNT = 'ebs-csi-controller-sa';
const DRIVER_POLICY = 'service-role/AmazonEBSCSIDriverPolicy';

/**
 * The Amazon EBS CSI driver as an EKS add-on (provisioner `ebs.csi.aws.com`), with the AWS
 * managed driver policy granted to its controller through Pod Identity.
 */
export class EbsCsiDriver extends Construct {
  readonly addon: eks.Addon;

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
    });
    this.addon.node.addDependency(identity.association);
    // It may create a Service (its controller's metrics).
    afterLoadBalancerController(this.addon, props.cluster);
  }
}
