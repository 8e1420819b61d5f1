import { Chart, ChartProps } from 'cdk8s';
import { k8s } from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import { Namespaces, appLabels } from './common';

/** The httpd autoscaling policy the issue asks for. */
export const HTTPD_AUTOSCALING = {
  deployment: 'httpd',
  minReplicas: 1,
  maxReplicas: 10,
  cpuUtilization: 50,
} as const;

/**
 * A HorizontalPodAutoscaler (autoscaling/v2) for httpd: average CPU at 50% of the pods' CPU
 * request, between 1 and 10 replicas. It reads pod metrics from the metrics-server, which the
 * infrastructure stack installs; without it the HPA reports `<unknown>` and does nothing.
 *
 * A chart of its own, referring to the Deployment by name, so it can be applied after the
 * workloads and after the metrics-server.
 */
export class AutoscalingChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    const policy = HTTPD_AUTOSCALING;
    new k8s.KubeHorizontalPodAutoscalerV2(this, 'httpd', {
      metadata: {
        name: policy.deployment,
        namespace: Namespaces.WEB,
        labels: appLabels(policy.deployment, 'autoscaling'),
      },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: policy.deployment },
        minReplicas: policy.minReplicas,
        maxReplicas: policy.maxReplicas,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: policy.cpuUtilization },
            },
          },
        ],
      },
    });
  }
}
