import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';

/**
 * kube-proxy as a managed EKS add-on, so that it follows the cluster's minor. EKS installed it
 * self-managed with the cluster; the add-on takes that DaemonSet over with EKS's own defaults,
 * which is all this platform uses (nothing of ours is configured in it).
 */
export class KubeProxy extends Construct {
  /** The `kube-proxy` add-on: its pods run on the nodes, so it must follow the node group. */
  readonly addon: eks.Addon;

  constructor(scope: Construct, id: string, props: { readonly cluster: eks.Cluster }) {
    super(scope, id);
    this.addon = new eks.Addon(this, 'Addon', {
      cluster: props.cluster,
      addonName: 'kube-proxy',
      // Service routing stays on the nodes while everything else tears down; it goes with them.
      preserveOnDelete: true,
    });
    // Takes over the self-managed install, and later version updates overwrite drift.
    (this.addon.node.defaultChild as eks.CfnAddon).resolveConflicts = 'OVERWRITE';
  }
}
