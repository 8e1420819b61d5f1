/**
 * The bitcoin controller as the operator chart's Deployment runs it, minus the container: the
 * same program with the container's args and env (fieldRefs filled in from the Deployment's pod
 * that kwok runs), and the ServiceAccount's token in place of the in-cluster config.
 */
import type { ControllerProcessOptions } from '../bitcoin/controller-process';
import { adminApiOf } from '../testplane/lib/admin-api';
import type { TestPlane } from '../testplane/plane';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}
interface Deployment {
  spec: {
    selector: { matchLabels: Record<string, string> };
    template: {
      spec: {
        serviceAccountName?: string;
        containers: {
          args?: string[];
          env?: EnvVar[];
          readinessProbe?: { httpGet?: { path: string; port: number } };
        }[];
      };
    };
  };
}
interface Pod {
  metadata: { name: string; namespace: string; uid: string; deletionTimestamp?: string };
  spec: { nodeName?: string; serviceAccountName?: string };
  status: { podIP?: string };
}

/**
 * Reads the Deployment and its pod from the cluster and makes the launcher's options from them:
 * the container's args as they are, its env, and its readiness probe to wait on.
 */
export async function controllerFromChart(
  plane: TestPlane,
  namespace: string,
  name: string,
  logFile: string,
): Promise<ControllerProcessOptions> {
  const api = adminApiOf(plane.kubeconfig);
  const deployment = await api.get<Deployment>(
    `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`,
  );
  const selector = Object.entries(deployment.spec.selector.matchLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const pods = await api.get<{ items: Pod[] }>(
    `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(selector)}`,
  );
  // After a rollout the old pods may still be terminating.
  const pod = pods.items.find((p) => !p.metadata.deletionTimestamp);
  if (!pod) throw new Error(`the ${namespace}/${name} Deployment has no pod to stand in for`);
  const podSpec = deployment.spec.template.spec;
  const [container] = podSpec.containers;
  const account = podSpec.serviceAccountName ?? 'default';
  const fields: Record<string, string> = {
    'metadata.name': pod.metadata.name,
    'metadata.namespace': pod.metadata.namespace,
    'metadata.uid': pod.metadata.uid,
    'spec.nodeName': pod.spec.nodeName ?? '',
    'spec.serviceAccountName': account,
    'status.podIP': pod.status.podIP ?? '',
  };
  const env: Record<string, string> = {};
  for (const v of container.env ?? []) {
    const field = v.valueFrom?.fieldRef?.fieldPath;
    if (v.value !== undefined) env[v.name] = v.value;
    else if (field !== undefined && field in fields) env[v.name] = fields[field];
    else
      throw new Error(
        `env ${v.name} of ${namespace}/${name}: only values and fieldRefs (${Object.keys(fields).join(', ')}) are stood in`,
      );
  }
  const probe = container.readinessProbe?.httpGet;
  if (!probe) throw new Error(`${namespace}/${name} has no HTTP readiness probe to wait for`);
  const podIp = pod.status.podIP;
  if (!podIp) throw new Error(`${pod.metadata.namespace}/${pod.metadata.name} has no pod IP yet`);
  return {
    name: pod.metadata.name,
    logFile,
    kubeconfig: await plane.serviceAccountKubeconfig(namespace, account),
    // The container's command is the image's node on the compiled controller: this checkout's
    // node runs its source instead. A container's 0.0.0.0 is its pod's IP, which is local in the
    // network namespace: bound there, rehearsals running side by side do not share a port.
    args: [...(container.args ?? []), `--health-bind=${podIp}`],
    argsAsGiven: true,
    env,
    healthHost: podIp,
    healthPort: probe.port,
    readyPath: probe.path,
    // tsx transpiles the controller first, which on two cores shared with other work has taken
    // over a minute.
    startTimeoutMs: 180_000,
  };
}
