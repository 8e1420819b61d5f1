import { createHash } from 'node:crypto';
import { ApiObject, Chart, ChartProps, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import { allowIngress } from './network-policies';
import { Namespaces, PlatformTarget, appLabels, restrictedContainer } from './common';

/** Images, pinned to a release line. `httpd:2.4-alpine` is the image the issue calls `httpd:alpine`. */
export const Images = {
  HTTPD: 'httpd:2.4-alpine',
  TOMCAT: 'tomcat:11.0-jre21',
} as const;

/** Names of the Services; the Ingress and the tests refer to them. */
export const ServiceNames = {
  HTTPD: 'httpd-service',
  TOMCAT: 'tomcat-service',
  ALPINE: 'alpine-service',
  ALPINE_NODEPORT: 'alpine-service-nodeport',
  ALPINE_LB: 'alpine-service-lb',
} as const;

/** Every Service listens on 8080, as in the source documents. */
export const SERVICE_PORT = 8080;

/**
 * Where each application serves its own page. The ALB cannot rewrite paths, so instead of a
 * rewrite the applications are configured to answer under the Ingress path.
 */
export const AppPaths = {
  HTTPD: '/httpd/',
  TOMCAT: '/tomcat/',
} as const;

/** The `loadBalancerClass` that hands a Service to the AWS Load Balancer Controller as an NLB. */
export const NLB_LOAD_BALANCER_CLASS = 'service.k8s.aws/nlb';

export interface WorkloadsChartProps extends ChartProps {
  readonly target: PlatformTarget;
  /** Replicas of httpd, tomcat and alpine. */
  readonly replicas: number;
  /** Also create `alpine-service-lb` (an internet-facing NLB on EKS, billed hourly). */
  readonly alpineLoadBalancer: boolean;
}

// httpd started as non-root ignores its `User` directive and needs no account of its own: it only
// reads world-readable files and writes to emptyDirs. A high uid keeps it clear of host users
// (the image's www-data is 82).
const HTTPD_UID = 10082;
// The tomcat image has no user of its own; any non-root uid can read it and write the emptyDirs.
const TOMCAT_UID = 10001;
// Lets a non-root process bind port 80 in the pod's own network namespace. A "safe" sysctl in
// Kubernetes (allowed by default and by the restricted Pod Security Standard), and unlike adding
// CAP_NET_BIND_SERVICE it works for a non-root user: Kubernetes has no ambient capabilities.
const UNPRIVILEGED_PORT_START = { name: 'net.ipv4.ip_unprivileged_port_start', value: '80' };

const HTTPD_PAGE = `<!doctype html>
<html><head><title>httpd</title></head>
<body><h1>httpd</h1><p>Served by Apache httpd at /httpd/ through the platform Ingress.</p></body></html>
`;

const TOMCAT_PAGE = `<!doctype html>
<html><head><title>tomcat</title></head>
<body><h1>tomcat</h1><p>Served by Apache Tomcat from the "tomcat" web application.</p></body></html>
`;

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
  }
}

/** Annotations that make the ALB health-check the application's page instead of `/`. */
function albHealthCheck(path: string): Record<string, string> {
  return {
    'alb.ingress.kubernetes.io/healthcheck-path': path,
    'alb.ingress.kubernetes.io/success-codes': '200',
  };
}

/** An internet-facing NLB with pod IPs as targets, made by the AWS Load Balancer Controller. */
function nlbAnnotations(): Record<string, string> {
  return {
    'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
    'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
    'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
  };
}

function page(scope: Construct, name: string, html: string): kplus.ConfigMap {
  return new kplus.ConfigMap(scope, name, {
    metadata: { name, namespace: Namespaces.WEB, labels: appLabels(name, 'web') },
    data: { 'index.html': html },
  });
}

/** A pod template annotation that changes with the page, so a new page rolls the pods. */
function pageChecksum(configMap: kplus.ConfigMap): Record<string, string> {
  const digest = createHash('sha256').update(JSON.stringify(configMap.data)).digest('hex');
  return { 'eksplatform.dev/page-sha256': digest.slice(0, 16) };
}

/** A Deployment that selects its pods by `app: <name>` only, as the issue asks. */
function deployment(
  scope: Construct,
  name: string,
  component: string,
  props: Omit<kplus.DeploymentProps, 'metadata' | 'podMetadata' | 'select'> & {
    readonly podAnnotations?: Record<string, string>;
  },
): kplus.Deployment {
  const labels = appLabels(name, component);
  const { podAnnotations, ...rest } = props;
  const workload = new kplus.Deployment(scope, name, {
    ...rest,
    metadata: { name, namespace: Namespaces.WEB, labels },
    podMetadata: { labels, annotations: podAnnotations },
    select: false,
  });
  workload.select(kplus.LabelSelector.of({ labels: { app: name } }));
  return workload;
}

interface HttpdOptions {
  readonly replicas: number;
  readonly probePath: string;
  readonly page?: { readonly configMap: kplus.ConfigMap; readonly path: string };
}

/** Stock httpd:alpine, non-root on port 80, logs/pid on an emptyDir. */
function httpdDeployment(scope: Construct, name: string, opts: HttpdOptions): kplus.Deployment {
  const workload = deployment(scope, name, 'web', {
    replicas: opts.replicas,
    podAnnotations: opts.page ? pageChecksum(opts.page.configMap) : undefined,
    securityContext: {
      ensureNonRoot: true,
      user: HTTPD_UID,
      group: HTTPD_UID,
      fsGroup: HTTPD_UID,
      sysctls: [UNPRIVILEGED_PORT_START],
    },
  });
  // httpd writes its pid file (and, with mod_cgid, a socket) under logs/; access and error logs
  // already go to stdout/stderr in the official image.
  const logs = kplus.Volume.fromEmptyDir(workload, 'logs-volume', 'logs', {
    sizeLimit: Size.mebibytes(16),
  });
  const mounts: kplus.VolumeMount[] = [{ volume: logs, path: '/usr/local/apache2/logs' }];
  if (opts.page) {
    const content = kplus.Volume.fromConfigMap(workload, 'page-volume', opts.page.configMap, {
      name: 'page',
    });
    // subPath gives a plain file instead of the ConfigMap volume's symlinks.
    mounts.push({ volume: content, path: opts.page.path, subPath: 'index.html', readOnly: true });
  }
  workload.addContainer({
    name,
    image: Images.HTTPD,
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    ports: [{ number: 80, name: 'http' }],
    resources: {
      cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(250) },
      memory: { request: Size.mebibytes(64), limit: Size.mebibytes(128) },
    },
    securityContext: restrictedContainer(HTTPD_UID, HTTPD_UID),
    readiness: kplus.Probe.fromHttpGet(opts.probePath, {
      port: 80,
      periodSeconds: Duration.seconds(5),
      failureThreshold: 3,
    }),
    liveness: kplus.Probe.fromHttpGet(opts.probePath, {
      port: 80,
      initialDelaySeconds: Duration.seconds(5),
      periodSeconds: Duration.seconds(15),
      failureThreshold: 3,
    }),
    volumeMounts: mounts,
  });
  return workload;
}

/** Stock tomcat, non-root, with a one-file web application mounted as webapps/tomcat. */
function tomcatDeployment(
  scope: Construct,
  replicas: number,
  tomcatPage: kplus.ConfigMap,
): kplus.Deployment {
  const workload = deployment(scope, 'tomcat', 'web', {
    replicas,
    podAnnotations: pageChecksum(tomcatPage),
    securityContext: {
      ensureNonRoot: true,
      user: TOMCAT_UID,
      group: TOMCAT_UID,
      fsGroup: TOMCAT_UID,
    },
  });
  const home = '/usr/local/tomcat';
  // Tomcat writes logs, temp files, compiled work files and conf/Catalina/<host>; the JVM
  // writes to /tmp. Everything else stays read-only.
  const writable: Array<[string, string]> = [
    ['logs', `${home}/logs`],
    ['temp', `${home}/temp`],
    ['work', `${home}/work`],
    ['conf-catalina', `${home}/conf/Catalina`],
    ['tmp', '/tmp'],
  ];
  const mounts: kplus.VolumeMount[] = writable.map(([name, path]) => ({
    volume: kplus.Volume.fromEmptyDir(workload, `${name}-volume`, name, {
      sizeLimit: Size.mebibytes(64),
    }),
    path,
  }));
  const content = kplus.Volume.fromConfigMap(workload, 'webapp-volume', tomcatPage, {
    name: 'webapp',
  });
  // A plain file (subPath), because Tomcat refuses to serve through symlinks by default.
  mounts.push({
    volume: content,
    path: `${home}/webapps${AppPaths.TOMCAT}index.html`,
    subPath: 'index.html',
    readOnly: true,
  });
  const probe = (options: kplus.HttpGetProbeOptions) =>
    kplus.Probe.fromHttpGet(AppPaths.TOMCAT, { port: 8080, ...options });
  workload.addContainer({
    name: 'tomcat',
    image: Images.TOMCAT,
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    ports: [{ number: 8080, name: 'http' }],
    envVariables: {
      // Keep the heap at half the memory limit, leaving room for metaspace and threads.
      CATALINA_OPTS: kplus.EnvValue.fromValue('-XX:MaxRAMPercentage=50.0'),
    },
    resources: {
      cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(1000) },
      memory: { request: Size.mebibytes(256), limit: Size.mebibytes(512) },
    },
    securityContext: restrictedContainer(TOMCAT_UID, TOMCAT_UID),
    // The JVM starts slowly on a small CPU share; the startup probe holds the others back.
    startup: probe({ periodSeconds: Duration.seconds(5), failureThreshold: 36 }),
    readiness: probe({ periodSeconds: Duration.seconds(10), failureThreshold: 3 }),
    liveness: probe({ periodSeconds: Duration.seconds(20), failureThreshold: 3 }),
    volumeMounts: mounts,
  });
  return workload;
}

/** A Service `<name>` on port 8080 that selects `app: <deployment name>`. */
function service(
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
