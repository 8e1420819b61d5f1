import { Chart, ChartProps } from 'cdk8s';
import { k8s } from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import { Namespaces, PlatformTarget, appLabels } from './common';
import { SERVICE_PORT, ServiceNames } from './workloads/names';

/** Name of the one Ingress. */
export const INGRESS_NAME = 'web';

/**
 * IngressClass per target.
 * - `alb`: created by the AWS Load Balancer Controller's Helm chart (installed by the CDK stack).
 * - `traefik`: created by the Traefik Helm chart the README installs on kind/minikube.
 * Neither chart ships its class here: the controller's own chart owns it.
 */
export const INGRESS_CLASS: Record<PlatformTarget, string> = { eks: 'alb', local: 'traefik' };

/**
 * All Ingresses with this group share one ALB. Only this Ingress uses it today; the group makes
 * adding an Ingress in another namespace (e.g. an operator's) reuse the same load balancer.
 */
export const ALB_GROUP_NAME = 'platform-web';

/** Which path goes to which Service; the applications serve their pages under these paths. */
export const INGRESS_ROUTES = [
  { path: '/httpd', service: ServiceNames.HTTPD },
  { path: '/tomcat', service: ServiceNames.TOMCAT },
] as const;

export interface IngressChartProps extends ChartProps {
  readonly target: PlatformTarget;
}

/**
 * One Ingress, one load balancer: `/httpd` → httpd-service:8080, `/tomcat` → tomcat-service:8080.
 *
 * There is no rewrite: ALBs cannot rewrite paths, so httpd and tomcat are configured to serve
 * their own pages under `/httpd/` and `/tomcat/` (see workloads/httpd.ts and workloads/tomcat.ts).
 * The same Ingress then works unchanged with any controller, Traefik included.
 */
export class IngressChart extends Chart {
  constructor(scope: Construct, id: string, props: IngressChartProps) {
    super(scope, id, props);
    const annotations =
      props.target === 'eks'
        ? {
            'alb.ingress.kubernetes.io/scheme': 'internet-facing',
            // Pod IPs as targets: no NodePort hop, and works with ClusterIP Services.
            'alb.ingress.kubernetes.io/target-type': 'ip',
            'alb.ingress.kubernetes.io/group.name': ALB_GROUP_NAME,
            'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}]',
          }
        : undefined;

    new k8s.KubeIngress(this, 'ingress', {
      metadata: {
        name: INGRESS_NAME,
        namespace: Namespaces.WEB,
        labels: appLabels(INGRESS_NAME, 'ingress'),
        annotations,
      },
      spec: {
        ingressClassName: INGRESS_CLASS[props.target],
        rules: [
          {
            http: {
              paths: INGRESS_ROUTES.map((route) => ({
                path: route.path,
                pathType: 'Prefix',
                backend: {
                  service: { name: route.service, port: { number: SERVICE_PORT } },
                },
              })),
            },
          },
        ],
      },
    });
  }
}
