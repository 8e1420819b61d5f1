/**
 * The running plane: starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and
 * kwok in that order, restarts the apiserver for fault tests, and stops them all.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../base/repo-root';
import { AUDIT_POLICY, AuditEvent, readAuditLog } from './lib/audit';
import { binaries } from './lib/binaries';
import {
  apiserverFlags,
  componentFlags,
  controllerManagerFlags,
  etcdFlags,
  kwokFlags,
} from './lib/flags';
import { request, TlsClient } from './lib/http';
import { ADMIN, CONTROLLER_MANAGER, KWOK, SCHEDULER } from './lib/identities';
import { certificateUser, writeKubeconfig } from './lib/kubeconfig';
import { ClientIdentity, createPki, KeyPair, Pki } from './lib/pki';
import { freePort, RunningProcess, startProcess, stopProcess, waitUntil } from './lib/process';
import { stopAll, writeRunState } from './lib/run-state';
import type { PodNet } from './pod-net';
import type { TestPlane } from './test-plane';

/** Every plane's pod CIDR, 10.N.0.0/16, and its node IPs lie in this range. */
export const POD_RANGE = '10.0.0.0/8';

export class Plane implements TestPlane {
  readonly kubeconfig: string;
  readonly auditLog: string;
  readonly caCert: string;
  readonly podCidr: string;
  readonly nodeNames: readonly string[];
  readonly server: string;

  private readonly bin = binaries();
  private readonly pki: Pki;
  private readonly admin: KeyPair;
  private readonly processes = new Map<string, RunningProcess>();
  private readonly podNet: number;
  private apiserverArgs: string[] = [];

  constructor(
    readonly dir: string,
    private readonly apiserverPort: number,
    nodes: number,
    private readonly detached: boolean,
    private readonly podNetReservation: PodNet,
  ) {
    this.pki = createPki(path.join(dir, 'pki'));
    this.caCert = this.pki.caCert;
    this.admin = this.pki.client('admin', ADMIN);
    this.server = `https://127.0.0.1:${apiserverPort}`;
    this.kubeconfig = path.join(dir, 'admin.kubeconfig');
    this.auditLog = path.join(dir, 'audit.log');
    this.podNet = podNetReservation.octet;
    this.podCidr = `10.${this.podNet}.0.0/16`;
    this.nodeNames = Array.from({ length: nodes }, (_, i) => `kwok-node-${i}`);
  }

  async start(): Promise<void> {
    const etcdUrl = await this.startEtcd();
    await this.startApiserverFirstTime(etcdUrl);
    await Promise.all([this.startControllerManager(), this.startScheduler()]);
    await this.startKwok();
  }

  async stop(): Promise<void> {
    await stopAll([...this.processes.values()]);
    this.processes.clear();
    fs.rmSync(this.dir, { recursive: true, force: true });
    await this.podNetReservation.release();
  }

  async stopApiserver(): Promise<void> {
    const proc = this.processes.get('kube-apiserver');
    // With clients still watching, a graceful shutdown drains for over 10 s; a fault test
    // wants the apiserver gone, not a slow goodbye.
    if (proc) await stopProcess(proc, 3_000);
    this.processes.delete('kube-apiserver');
    this.writeState();
  }

  async startApiserver(): Promise<void> {
    await this.startApiserverProcess();
    // Twice in full suite runs, kube-scheduler never bound a pod created after the apiserver came
    // back: the pod had no PodScheduled condition for minutes, so the StatefulSet's roll stopped.
    // The scheduler is scaffolding here, not what a fault test is about; a fresh one lists
    // everything anew.
    const scheduler = this.processes.get('kube-scheduler');
    if (scheduler) {
      await stopProcess(scheduler, 3_000);
      await this.startScheduler();
    }
  }

  async serviceAccountKubeconfig(namespace: string, name: string): Promise<string> {
    const res = await this.api(`/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
      method: 'POST',
      json: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        // Long enough for any test run; the plane itself lives for minutes.
        spec: { expirationSeconds: 24 * 3600 },
      },
    });
    if (res.status !== 201) {
      throw new Error(`token for ServiceAccount ${namespace}/${name}: ${res.status} ${res.body}`);
    }
    const token = (JSON.parse(res.body) as { status: { token: string } }).status.token;
    const file = path.join(this.dir, `sa-${namespace}-${name}.kubeconfig`);
    writeKubeconfig(file, this.server, this.caCert, { token });
    return file;
  }

  auditEvents(): AuditEvent[] {
    return readAuditLog(this.auditLog);
  }

  private async startEtcd(): Promise<string> {
    const [client, peer] = [await freePort(), await freePort()];
    const clientUrl = `http://127.0.0.1:${client}`;
    const peerUrl = `http://127.0.0.1:${peer}`;
    const proc = this.spawn(
      'etcd',
      this.bin.etcd,
      etcdFlags(path.join(this.dir, 'etcd'), clientUrl, peerUrl),
    );
    await waitUntil(
      'etcd /health',
      proc,
      async () => {
        const res = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(2_000) });
        return res.ok && ((await res.json()) as { health?: string }).health === 'true';
      },
      30_000,
    );
    return clientUrl;
  }

  private async startApiserverFirstTime(etcdUrl: string): Promise<void> {
    const policy = path.join(this.dir, 'audit-policy.yaml');
    fs.writeFileSync(policy, AUDIT_POLICY);
    writeKubeconfig(this.kubeconfig, this.server, this.caCert, certificateUser(this.admin));
    this.apiserverArgs = apiserverFlags({
      etcdUrl,
      port: this.apiserverPort,
      certDir: path.join(this.dir, 'apiserver'),
      pki: this.pki,
      auditPolicy: policy,
      auditLog: this.auditLog,
    });
    await this.startApiserverProcess();
  }

  private async startApiserverProcess(): Promise<void> {
    const proc = this.spawn('kube-apiserver', this.bin.kubeApiserver, this.apiserverArgs);
    await waitUntil(
      'kube-apiserver /readyz',
      proc,
      async () => (await this.api('/readyz')).status === 200,
      90_000,
    );
  }

  private async startControllerManager(): Promise<void> {
    const port = await freePort();
    const kubeconfig = this.componentKubeconfig('controller-manager', CONTROLLER_MANAGER);
    const proc = this.spawn(
      'kube-controller-manager',
      this.bin.kubeControllerManager,
      controllerManagerFlags(kubeconfig, port, this.pki),
    );
    await waitUntil('kube-controller-manager /healthz', proc, () => this.healthz(port), 60_000);
    // Pods cannot be created in a namespace before its ServiceAccount exists.
    await waitUntil(
      'default ServiceAccount from kube-controller-manager',
      proc,
      async () =>
        (await this.api('/api/v1/namespaces/default/serviceaccounts/default')).status === 200,
      60_000,
    );
  }

  private async startScheduler(): Promise<void> {
    const port = await freePort();
    const kubeconfig = this.componentKubeconfig('scheduler', SCHEDULER);
    const proc = this.spawn(
      'kube-scheduler',
      this.bin.kubeScheduler,
      componentFlags(kubeconfig, port, this.pki),
    );
    await waitUntil('kube-scheduler /healthz', proc, () => this.healthz(port), 60_000);
  }

  private async startKwok(): Promise<void> {
    const proc = this.spawn(
      'kwok',
      this.bin.kwok,
      kwokFlags(this.componentKubeconfig('kwok', KWOK), `10.${this.podNet}.255.254`, this.podCidr),
      // Keeps kwok from merging in a user's ~/.kwok/kwok.yaml.
      { KWOK_WORKDIR: path.join(this.dir, 'kwok') },
    );
    for (const [i, name] of this.nodeNames.entries()) {
      const res = await this.api('/api/v1/nodes', {
        method: 'POST',
        json: {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name, labels: { 'kubernetes.io/hostname': name, type: 'kwok' } },
          spec: { podCIDR: `10.${this.podNet}.${i}.0/24` },
        },
      });
      if (res.status !== 201) throw new Error(`creating node ${name}: ${res.status} ${res.body}`);
    }
    await waitUntil(
      `${this.nodeNames.length} kwok nodes Ready`,
      proc,
      async () => {
        const res = await this.api('/api/v1/nodes');
        const nodes = (JSON.parse(res.body) as NodeList).items;
        const ready = nodes.filter((node) =>
          node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        );
        return ready.length === this.nodeNames.length;
      },
      60_000,
    );
  }

  private spawn(name: string, binary: string, args: string[], env = {}): RunningProcess {
    const proc = startProcess(name, binary, args, path.join(this.dir, `${name}.log`), env);
    this.processes.set(name, proc);
    // Recorded at once, so that even a run killed half-way can be cleaned up.
    this.writeState();
    return proc;
  }

  private api(urlPath: string, options: Parameters<typeof request>[2] = {}) {
    const tls: TlsClient = { caCert: this.pki.caCert, ...this.admin };
    return request(`${this.server}${urlPath}`, tls, options);
  }

  private async healthz(port: number): Promise<boolean> {
    const res = await request(`https://127.0.0.1:${port}/healthz`, { caCert: this.pki.caCert });
    return res.status === 200;
  }

  private componentKubeconfig(name: string, identity: ClientIdentity): string {
    const file = path.join(this.dir, `${name}.kubeconfig`);
    writeKubeconfig(
      file,
      this.server,
      this.caCert,
      certificateUser(this.pki.client(name, identity)),
    );
    return file;
  }

  private writeState(): void {
    writeRunState({
      dir: this.dir,
      kubeconfig: this.kubeconfig,
      repo: REPO_ROOT,
      ownerPid: this.detached ? undefined : process.pid,
      processes: [...this.processes.values()].map(({ name, pid, binary, logFile }) => ({
        name,
        pid,
        binary,
        logFile,
      })),
    });
  }
}

interface NodeList {
  items: { status?: { conditions?: { type: string; status: string }[] } }[];
}
