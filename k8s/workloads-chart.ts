import { ApiObject, Chart, ChartProps, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import { budgetEachDeployment } from './disruption-budgets';
import { allowIngress } from './network-policies';
import { Namespaces, PlatformTarget, appLabels } from './common';
import { page } from './workloads/deployment';
import { HTTPD_PAGE, httpdDeployment } from './workloads/httpd';
import { AppPaths, NLB_LOAD_BALANCER_CLASS, ServiceNames } from './workloads/names';
import { albHealthCheck, nlbAnnotations, service } from './workloads/service';
import { TOMCAT_PAGE, tomcatDeployment } from './workloads/tomcat';

export interface WorkloadsChartProps extends ChartProps {
  readonly target: PlatformTarget;
  /** Replicas of httpd, tomcat and alpine. */
  readonly replicas: number;
  /** Also create `alpine-service-lb` (an internet-facing NLB on EKS, billed hourly). */
  readonly alpineLoadBalancer: boolean;
}

/**
 * The web workloads: httpd and tomcat behind the Ingress, and the source documents' `alpine`
 * example exposed as ClusterIP, NodePort and (opt-in) LoadBalancer Services.
 *
 * Every container runs as a fixed non-root user with a read-only root filesystem; the paths the
 * images write to are emptyDir volumes. Requests are small enough that everything, including
 * httpd at its HPA maximum, fits two t3.medium nodes next to the system pods.
 */
export class WorkloadsChart extends Chart {
  constructor(scope: Construct, id: string, props: WorkloadsChartProps) {
    super(scope, id, props);
    const eks = props.target === 'eks';

    // httpd: its page lives at /httpd/index.html, so /httpd/ answers without a rewrite.
    const httpdPage = page(this, 'httpd-page', HTTPD_PAGE);
    const httpd = httpdDeployment(this, 'httpd', {
      replicas: props.replicas,
      probePath: AppPaths.HTTPD,
      page: { configMap: httpdPage, path: `/usr/local/apache2/htdocs${AppPaths.HTTPD}index.html` },
    });
    service(this, ServiceNames.HTTPD, httpd, 80, kplus.ServiceType.CLUSTER_IP, {
      annotations: eks ? albHealthCheck(AppPaths.HTTPD) : {},
    });

    // tomcat: a one-page web application named "tomcat", so /tomcat/ is its context root.
    const tomcatPage = page(this, 'tomcat-page', TOMCAT_PAGE);
    const tomcat = tomcatDeployment(this, props.replicas, tomcatPage);
    service(this, ServiceNames.TOMCAT, tomcat, 8080, kplus.ServiceType.CLUSTER_IP, {
      annotations: eks ? albHealthCheck(AppPaths.TOMCAT) : {},
    });

    // alpine: the source documents' example (httpd:alpine answering "It works!" on port 80).
    const alpine = httpdDeployment(this, 'alpine', { replicas: props.replicas, probePath: '/' });
    service(this, ServiceNames.ALPINE, alpine, 80, kplus.ServiceType.CLUSTER_IP);
    service(this, ServiceNames.ALPINE_NODEPORT, alpine, 80, kplus.ServiceType.NODE_PORT);
    if (props.alpineLoadBalancer) {
      const lb = service(
        this,
        ServiceNames.ALPINE_LB,
        alpine,
        80,
        kplus.ServiceType.LOAD_BALANCER,
        {
          annotations: eks ? nlbAnnotations() : {},
        },
      );
      if (eks) {
        // cdk8s-plus has no loadBalancerClass prop. The class makes the AWS Load Balancer
        // Controller, not the legacy in-tree controller (a Classic ELB), own the Service.
        ApiObject.of(lb).addJsonPatch(
          JsonPatch.add('/spec/loadBalancerClass', NLB_LOAD_BALANCER_CLASS),
        );
      }
    }

    // The namespace denies ingress by default. The apps take HTTP from anywhere: the ALB and
    // NLB reach pod IPs directly, and NodePort traffic arrives from outside the cluster.
    for (const [app, port] of [
      ['httpd', 80],
      ['tomcat', 8080],
      ['alpine', 80],
    ] as const) {
      allowIngress(this, {
        name: `allow-${app}-http`,
        namespace: Namespaces.WEB,
        labels: appLabels(app, 'web'),
        pods: { app },
        ports: [port],
      });
    }

    // Drains (node group updates, the Cluster Autoscaler) take one replica of each at a time.
    budgetEachDeployment(this);
  }
}
