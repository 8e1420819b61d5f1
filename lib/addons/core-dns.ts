import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { afterLoadBalancerController } from './load-balancer-admission';

/**
 * CoreDNS as a managed EKS add-on, so that it follows the cluster's minor. EKS installed it
 * self-managed when the cluster was created (and running clusters have it so): the add-on takes
 * it over, overwriting EKS's own defaults with the same defaults, and keeps what we rely on, two
 * replicas, declared here.
 */
export class CoreDns extends Construct {
  /** The `coredns` add-on: its pods run on the nodes, so it must follow the node group. */
  readonly addon: eks.Addon;

  constructor(scope: Construct, id: string, props: { readonly cluster: eks.Cluster }) {
    super(scope, id);
    this.addon = new eks.Addon(this, 'Addon', {
      cluster: props.cluster,
      addonName: 'coredns',
      // Two, so a node drain always leaves one serving; EKS's add-on guards them with its own
      // disruption budget.
      configurationValues: { replicaCount: 2 },
      // Deleting the add-on would delete cluster DNS while the controllers that clean up load
      // balancers and volumes still resolve AWS endpoints; DNS goes with the node group instead.
      preserveOnDelete: true,
    });
    // Takes over the self-managed install, and later version updates overwrite drift.
    (this.addon.node.defaultChild as eks.CfnAddon).resolveConflicts = 'OVERWRITE';
    // It writes the kube-dns Service. The self-managed CoreDNS serves until then.
    afterLoadBalancerController(this.addon, props.cluster);
  }
}
