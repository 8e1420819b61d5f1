import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { afterLoadBalancerController } from './load-balancer-admission';

/**
 * metrics-server as an EKS community add-on: the resource metrics API that the
 * HorizontalPodAutoscaler and `kubectl top` read.
 */
export class MetricsServer extends Construct {
  /** The `metrics-server` add-on: its pods run on the nodes, so it must follow the node group. */
  readonly addon: eks.Addon;

  constructor(scope: Construct, id: string, props: { readonly cluster: eks.Cluster }) {
    super(scope, id);
    this.addon = new eks.Addon(this, 'Addon', {
      cluster: props.cluster,
      addonName: 'metrics-server',
    });
    // A version update overwrites what EKS manages in the add-on's objects (NONE would fail it
    // on any drift); what we configure is in its configuration values, so nothing is lost.
    (this.addon.node.defaultChild as eks.CfnAddon).resolveConflicts = 'OVERWRITE';
    // It creates a Service (the one behind the metrics API).
    afterLoadBalancerController(this.addon, props.cluster);
  }
}
