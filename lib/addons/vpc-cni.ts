import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';

/**
 * The Amazon VPC CNI as a managed EKS add-on, with its network policy agent turned on. Without
 * it EKS accepts NetworkPolicy objects but enforces none of them, and the platform's default-deny
 * policies and the per-network bitcoind policies would be decoration.
 */
export class VpcCni extends Construct {
  readonly addon: eks.Addon;

  constructor(scope: Construct, id: string, props: { readonly cluster: eks.Cluster }) {
    super(scope, id);
    this.addon = new eks.Addon(this, 'Addon', {
      cluster: props.cluster,
      addonName: 'vpc-cni',
      configurationValues: { enableNetworkPolicy: 'true' },
      // Deleting the add-on would delete aws-node while other add-ons still tear down on the
      // nodes; the CNI goes with the node group instead.
      preserveOnDelete: true,
    });
    // EKS installed the CNI itself when the cluster was created; the add-on takes it over.
    (this.addon.node.defaultChild as eks.CfnAddon).resolveConflicts = 'OVERWRITE';
  }
}
