/** The httpd Deployment, used both for the httpd page and for the source documents' alpine example. */
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import { limitEphemeralStorage, restrictedContainer } from '../common';
import { deployment, pageChecksum } from './deployment';
import { Images } from './names';

// httpd started as non-root ignores its `User` directive and needs no account of its own: it only
// reads world-readable files and writes to emptyDirs. A high uid keeps it clear of host users
// (the image's www-data is 82).
const HTTPD_UID = 10082;
// Lets a non-root process bind port 80 in the pod's own network namespace. A "safe" sysctl in
// Kubernetes (allowed by default and by the restricted Pod Security Standard), and unlike adding
// CAP_NET_BIND_SERVICE it works for a non-root user: Kubernetes has no ambient capabilities.
const UNPRIVILEGED_PORT_START = { name: 'net.ipv4.ip_unprivileged_port_start', value: '80' };

export const HTTPD_PAGE = `<!doctype html>
<html><head><title>httpd</title></head>
<body><h1>httpd</h1><p>Served by Apache httpd at /httpd/ through the platform Ingress.</p></body></html>
`;

interface HttpdOptions {
  /** @default - none: the count is left to a HorizontalPodAutoscaler (new Deployments start at 1) */
  readonly replicas?: number;
  readonly probePath: string;
  readonly page?: { readonly configMap: kplus.ConfigMap; readonly path: string };
}

/** Stock httpd:alpine, non-root on port 80, logs/pid on an emptyDir. */
export function httpdDeployment(
  scope: Construct,
  name: string,
  opts: HttpdOptions,
): kplus.Deployment {
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
  // Renders no `replicas` (cdk8s-plus would write 2): the HPA of AutoscalingChart, a chart of
  // its own, refers to this Deployment by name.
  if (opts.replicas === undefined) workload.markHasAutoscaler();
  // httpd writes its pid file (and, with mod_cgid, a socket) under logs/; access and error logs
  // already go to stdout/stderr in the official image.
  const logsSize = Size.mebibytes(16);
  const logs = kplus.Volume.fromEmptyDir(workload, 'logs-volume', 'logs', { sizeLimit: logsSize });
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
    // Ready: it serves its page. Alive: the process accepts connections. A page that answers
    // slowly takes the pod out of rotation; only a hung process gets it restarted.
    readiness: kplus.Probe.fromHttpGet(opts.probePath, {
      port: 80,
      periodSeconds: Duration.seconds(5),
      failureThreshold: 3,
    }),
    liveness: kplus.Probe.fromTcpSocket({
      port: 80,
      initialDelaySeconds: Duration.seconds(5),
      periodSeconds: Duration.seconds(15),
      failureThreshold: 3,
    }),
    volumeMounts: mounts,
  });
  limitEphemeralStorage(workload, logsSize);
  return workload;
}
