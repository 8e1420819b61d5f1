/** The web Services and the annotations that hand them to the AWS Load Balancer Controller. */
import * as kplus from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import { Namespaces, appLabels } from '../common';
import { SERVICE_PORT } from './names';

/** Annotations that make the ALB health-check the application's page instead of `/`. */
export function albHealthCheck(path: string): Record<string, string> {
  return {
    'alb.ingress.kubernetes.io/healthcheck-path': path,
    'alb.ingress.kubernetes.io/success-codes': '200',
  };
}

/** An internet-facing NLB with pod IPs as targets, made by the AWS Load Balancer Controller. */
export function nlbAnnotations(): Record<string, string> {
  return {
    'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
    'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
    'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
  };
}

/** A Service `<name>` on port 8080 that selects `app: <deployment name>`. */
export function service(
  scope: Construct,
  name: string,
  target: kplus.Deployment,
  targetPort: number,
  type: kplus.ServiceType,
  opts: { readonly annotations?: Record<string, string> } = {},
): kplus.Service {
  const app = target.name;
  const svc = new kplus.Service(scope, name, {
    metadata: {
      name,
      namespace: Namespaces.WEB,
      labels: appLabels(app, 'web'),
      annotations:
        opts.annotations && Object.keys(opts.annotations).length ? opts.annotations : undefined,
    },
    type,
    ports: [{ name: 'http', port: SERVICE_PORT, targetPort }],
  });
  svc.selectLabel('app', app);
  return svc;
}
