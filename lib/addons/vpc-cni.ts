import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { acceptManagedPolicies } from '../private/nag';
import { PodIdentity } from './pod-identity';

/** The ServiceAccount of the CNI's `aws-node` DaemonSet. */
const SERVICE_ACCOUNT = 'aws-node';
const CNI_POLICY = 'AmazonEKS_CNI_Policy';

/**
 * The Amazon VPC CNI as a managed EKS add-on, with its network policy agent turned on. Without
 * it EKS accepts NetworkPolicy objects but enforces none of them, and the platform's default-deny
 * policies and the per-network bitcoind policies would be decoration.
 *
 * The CNI's AWS permissions come from a Pod Identity of its own rather than the node role, so
 * that no other pod on the node could use them even if it reached instance metadata. The node
 * group must depend on {@link VpcCni.addon}: only `aws-node` pods created after the association
 * get its credentials, and a node whose CNI has none never becomes Ready.
 */
export class VpcCni extends Construct {
  /** The `vpc-cni` add-on: the node group and its role must depend on it. */
  readonly addon: eks.Addon;

  constructor(scope: Construct, id: string, props: { readonly cluster: eks.Cluster }) {
    super(scope, id);
    const identity = new PodIdentity(this, 'Identity', {
      cluster: props.cluster,
      namespace: 'kube-system',
      serviceAccount: SERVICE_ACCOUNT,
      managedPolicies: [CNI_POLICY],
    });
    acceptManagedPolicies(
      identity.role,
      [CNI_POLICY],
      'The policy EKS documents for the VPC CNI on IPv4 clusters; AWS keeps it in step with the plugin.',
    );
    this.addon = new eks.Addon(this, 'Addon', {
      cluster: props.cluster,
      addonName: 'vpc-cni',
      configurationValues: { enableNetworkPolicy: 'true' },
      // Deleting the add-on would delete aws-node while the cluster still exists; the CNI goes
      // with the cluster instead.
      preserveOnDelete: true,
    });
    // EKS installed the CNI itself when the cluster was created; the add-on takes it over.
    (this.addon.node.defaultChild as eks.CfnAddon).resolveConflicts = 'OVERWRITE';
    this.addon.node.addDependency(identity.association);
  }
}
