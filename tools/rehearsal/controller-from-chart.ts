/**
 * The bitcoin controller as the operator chart's Deployment runs it, minus the container: the
 * same program with the container's args and env (fieldRefs filled in from the Deployment's pod
 * that kwok runs), and the ServiceAccount's token in place of the in-cluster config.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../base/repo-root';
import { getJson } from '../testplane/lib/kubectl';
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
          command?: string[];
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

export class ChartController {
  private child?: ChildProcess;

  private constructor(
    private readonly command: readonly string[],
    private readonly env: Record<string, string>,
    private readonly readyUrl: string,
    readonly logFile: string,
  ) {}

  /** Reads the Deployment and its pod from the cluster and builds the process from them. */
  static async fromCluster(
    plane: TestPlane,
    namespace: string,
    name: string,
    logFile: string,
  ): Promise<ChartController> {
    const deployment = await getJson<Deployment>(plane.kubeconfig, [
      'deployment',
      name,
      '-n',
      namespace,
    ]);
    const selector = Object.entries(deployment.spec.selector.matchLabels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const pods = await getJson<{ items: Pod[] }>(plane.kubeconfig, [
      'pods',
      '-n',
      namespace,
      '-l',
      selector,
    ]);
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
    // The image runs controller/main.ts compiled; the container's command is the image's node.
    const command = [
      process.execPath,
      '--import',
      'tsx',
      path.join(REPO_ROOT, 'controller', 'main.ts'),
      ...(container.args ?? []),
    ];
    const kubeconfig = await plane.serviceAccountKubeconfig(namespace, account);
    const probe = container.readinessProbe?.httpGet;
    if (!probe) throw new Error(`${namespace}/${name} has no HTTP readiness probe to wait for`);
    const readyUrl = `http://127.0.0.1:${probe.port}${probe.path}`;
    return new ChartController(
      command,
      { ...env, KUBECONFIG: kubeconfig, HOSTNAME: pod.metadata.name, PATH: process.env.PATH ?? '' },
      readyUrl,
      logFile,
    );
  }

  /**
   * Starts it and waits until its readiness probe passes; tsx transpiles the controller first,
   * which on two cores shared with other work has taken over a minute.
   */
  async start(timeoutMs = 180_000): Promise<void> {
    const out = fs.openSync(this.logFile, 'a');
    const [program, ...args] = this.command;
    this.child = spawn(program, args, {
      cwd: REPO_ROOT,
      env: this.env,
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.child.exitCode !== null)
        throw new Error(`the controller exited (${this.child.exitCode}); see ${this.logFile}`);
      const status = await fetch(this.readyUrl, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return;
      if (Date.now() > deadline)
        throw new Error(
          `the controller was not ready at ${this.readyUrl} after ${timeoutMs / 1000}s; see ${this.logFile}`,
        );
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  }
}
