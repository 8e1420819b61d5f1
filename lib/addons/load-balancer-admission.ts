import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { IConstruct } from 'constructs';

/**
 * Installs `resource` after the AWS Load Balancer Controller, and so deletes it first. Between
 * Helm registering the controller's admission webhooks and its pods serving them, the API server
 * turns away every new Ingress (that webhook's failurePolicy is Fail), lets new pods of labelled
 * namespaces in without the readiness gates the pod webhook injects (its failurePolicy is
 * Ignore), and would turn away every new Service if the Service mutator were on. Whatever creates
 * such objects waits for the release, which returns once the pods are ready.
 */
export function afterLoadBalancerController(resource: IConstruct, cluster: eks.Cluster): void {
  if (cluster.albController) resource.node.addDependency(cluster.albController);
}
