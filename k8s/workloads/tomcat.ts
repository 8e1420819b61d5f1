/** The tomcat Deployment: stock tomcat serving a one-page web application. */
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import { limitEphemeralStorage, restrictedContainer } from '../common';
import { deployment, pageChecksum } from './deployment';
import { AppPaths, Images } from './names';

// The tomcat image has no user of its own; any non-root uid can read it and write the emptyDirs.
const TOMCAT_UID = 10001;

export const TOMCAT_PAGE = `<!doctype html>
<html><head><title>tomcat</title></head>
<body><h1>tomcat</h1><p>Served by Apache Tomcat from the "tomcat" web application.</p></body></html>
`;

/** Stock tomcat, non-root, with a one-file web application mounted as webapps/tomcat. */
export function tomcatDeployment(
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
  const scratchSize = Size.mebibytes(64);
  const mounts: kplus.VolumeMount[] = writable.map(([name, path]) => ({
    volume: kplus.Volume.fromEmptyDir(workload, `${name}-volume`, name, { sizeLimit: scratchSize }),
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
    // The JVM starts slowly on a small CPU share; the startup probe holds the others back until
    // the application answers. Ready: the application serves its page. Alive: the connector
    // accepts connections, so a slow application is taken out of rotation, not restarted.
    startup: probe({ periodSeconds: Duration.seconds(5), failureThreshold: 36 }),
    readiness: probe({ periodSeconds: Duration.seconds(10), failureThreshold: 3 }),
    liveness: kplus.Probe.fromTcpSocket({
      port: 8080,
      periodSeconds: Duration.seconds(20),
      failureThreshold: 3,
    }),
    volumeMounts: mounts,
  });
  limitEphemeralStorage(workload, ...writable.map(() => scratchSize));
  return workload;
}
