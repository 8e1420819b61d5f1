import * as kplus from 'cdk8s-plus-34';
import { Construct } from 'constructs';

/**
 * PodDisruptionBudgets a node drain can always satisfy. A managed node group update (a new
 * minor, an AMI release) and the Cluster Autoscaler drain nodes through the Eviction API, which
 * honours budgets: without one, all replicas of a workload on the drained node may go at once;
 * with one that allows no eviction, the drain never ends and EKS fails the update after 15
 * minutes.
 *
 * One pod at a time: n - 1 replicas keep serving, and a single-replica workload (the storage
 * demos, `webReplicas=1`) is down while its pod moves, which is the price of one replica. An
 * unhealthy pod may always be evicted, so a crash-looping replica cannot block a drain.
 */
export interface OneAtATimeProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** The pods it guards, as a whole. */
  readonly matchLabels: Record<string, string>;
  /**
   * How many of them may be down at once: more than one only where the budget spans workloads
   * of one replica each, which a deploy may restart together.
   * @default 1
   */
  readonly maxUnavailable?: number;
}

export function drainOneAtATime(scope: Construct, id: string, props: OneAtATimeProps): void {
  new kplus.k8s.KubePodDisruptionBudget(scope, id, {
    metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
    spec: {
      maxUnavailable: kplus.k8s.IntOrString.fromNumber(props.maxUnavailable ?? 1),
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
      selector: { matchLabels: props.matchLabels },
    },
  });
}

/** One {@link drainOneAtATime} budget for every Deployment under `scope`, named after it. */
export function budgetEachDeployment(scope: Construct): void {
  const deployments = scope.node
    .findAll()
    .filter((c): c is kplus.Deployment => c instanceof kplus.Deployment);
  for (const deployment of deployments) {
    const { name, namespace, labels } = deployment.metadata.toJson();
    drainOneAtATime(scope, `${deployment.node.id}-budget`, {
      name,
      namespace,
      labels,
      matchLabels: deployment.matchLabels,
    });
  }
}
