/**
 * A real Kubernetes control plane on loopback for tests: etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler and kwok (fake nodes and kubelets).
 *
 * Library: `startControlPlane()` returns a handle with the admin kubeconfig and `stop()`.
 * CLI:     `tsx tools/testplane/plane.ts up|down` (npm run controlplane:up / :down).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { binaries, missingBinaries, REPO_ROOT, RUN_STATE_DIR, VERSIONS } from './lib/binaries';
import { request, TlsClient } from './lib/http';
import { ClientIdentity, createPki, KeyPair, Pki } from './lib/pki';
import {
  freePort,
  isRunning,
  ProcessRecord,
  RunningProcess,
  startProcess,
  stopProcess,
  waitUntil,
} from './lib/process';

export interface PlaneOptions {
  /**
   * Fake nodes for kwok to run pods on, 1 to 255.
   * @default 3
   */
  readonly nodes?: number;
  /**
   * Keep running after this node process exits (`controlplane:up`). Otherwise the next plane
   * started from this checkout stops it if its owner died without `stop()`.
   * @default false
   */
  readonly detached?: boolean;
}

/** One apiserver audit event, as much of it as tests need. */
export interface AuditEvent {
  readonly verb: string;
  readonly user: { readonly username: string; readonly groups?: string[] };
  readonly objectRef?: {
    readonly resource?: string;
    readonly namespace?: string;
    readonly name?: string;
    readonly subresource?: string;
    readonly apiGroup?: string;
  };
  readonly responseStatus?: { readonly code?: number };
  readonly requestReceivedTimestamp: string;
}

export const WRITE_VERBS: ReadonlySet<string> = new Set([
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
]);

export interface ControlPlane {
  /** Temporary directory holding everything of this run; removed by `stop()`. */
  readonly dir: string;
  /** Admin kubeconfig (user `kubernetes-admin`, group `system:masters`). */
  readonly kubeconfig: string;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  readonly caCert: string;
  /** kwok hands out pod IPs from this `10.N.0.0/16` range. Never dial them. */
  readonly podCidr: string;
  readonly nodeNames: readonly string[];
  /** JSON-lines audit log of every request the apiserver answered. */
  readonly auditLog: string;
  auditEvents(): AuditEvent[];
  /**
   * A kubeconfig that authenticates as an existing ServiceAccount (by a TokenRequest token),
   * so that a process run with it gets exactly that account's RBAC rights.
   */
  serviceAccountKubeconfig(namespace: string, name: string): Promise<string>;
  /**
   * The loopback address that stands in for a pod IP in tests: 10.N.x.y becomes 127.N.x.y.
   * Inject it as the operator's pod address resolver; see the README (Pod IPs) for why pod IPs
   * are not loopback addresses themselves.
   */
  loopbackAddressOf(podIp: string): string;
  /**
   * Stops kube-apiserver only (SIGTERM, SIGKILL after 3 s); the other components keep running
   * and retry.
   */
  stopApiserver(): Promise<void>;
  /** Starts kube-apiserver again on the same port and waits until it is ready. */
  startApiserver(): Promise<void>;
  stop(): Promise<void>;
}

// Written next to each run, and read back by `controlplane:down` in another process.
interface RunState {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly repo: string;
  /** The node process the plane dies with; absent when detached. */
  readonly ownerPid?: number;
  readonly processes: ProcessRecord[];
}

// Outside 10.0.0.0/8, so that no pod range can overlap it.
const SERVICE_CIDR = '172.20.0.0/16';
const ADMIN: ClientIdentity = { user: 'kubernetes-admin', groups: ['system:masters'] };
// The kube-controller-manager and kube-scheduler names have bootstrap RBAC roles.
const CONTROLLER_MANAGER: ClientIdentity = { user: 'system:kube-controller-manager' };
const SCHEDULER: ClientIdentity = { user: 'system:kube-scheduler' };
// kwok plays every kubelet; it writes node, lease and pod status, so it gets full rights.
const KWOK: ClientIdentity = { user: 'kwok', groups: ['system:masters'] };

const STAGES = path.join(__dirname, 'kwok', 'stages.yaml');
const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
# One event per request, written when the response is complete.
omitStages: [RequestReceived, ResponseStarted]
rules:
  - level: Metadata
`;

export async function startControlPlane(options: PlaneOptions = {}): Promise<ControlPlane> {
  const missing = missingBinaries();
  if (missing.length > 0) {
    throw new Error(
      `control plane binaries are missing (${missing.join(', ')}): run \`npm run controlplane:build\``,
    );
  }
  const nodes = options.nodes ?? 3;
  // Node i gets pod range 10.N.i.0/24 and 10.N.255.x holds the node IPs.
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 255) {
    throw new Error(`nodes must be an integer between 1 and 255, got ${nodes}`);
  }
  await stopAbandonedPlanes();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), RUN_PREFIX));
  const plane = new Plane(dir, await freePort(), nodes, options.detached ?? false);
  try {
    await plane.start();
  } catch (err) {
    await plane.stop();
    throw err;
  }
  return plane;
}

class Plane implements ControlPlane {
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
  ) {
    this.pki = createPki(path.join(dir, 'pki'));
    this.caCert = this.pki.caCert;
    this.admin = this.pki.client('admin', ADMIN);
    this.server = `https://127.0.0.1:${apiserverPort}`;
    this.kubeconfig = path.join(dir, 'admin.kubeconfig');
    this.auditLog = path.join(dir, 'audit.log');
    // A random second octet keeps two planes on one machine from mapping pods to the same
    // loopback addresses, so fake pod servers of parallel runs do not collide. 127.0.x.x is
    // left to the host.
    this.podNet = 1 + Math.floor(Math.random() * 254);
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
    const proc = this.spawn('kube-apiserver', this.bin.kubeApiserver, this.apiserverArgs);
    await waitUntil(
      'kube-apiserver /readyz',
      proc,
      async () => (await this.api('/readyz')).status === 200,
      90_000,
    );
  }

  loopbackAddressOf(podIp: string): string {
    const prefix = `10.${this.podNet}.`;
    if (!podIp.startsWith(prefix) || podIp.split('.').length !== 4) {
      throw new Error(`${podIp} is not a pod IP of this plane (${this.podCidr})`);
    }
    return `127.${podIp.slice('10.'.length)}`;
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
    this.writeKubeconfig(file, { token });
    return file;
  }

  auditEvents(): AuditEvent[] {
    return fs
      .readFileSync(this.auditLog, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as AuditEvent);
  }

  private async startEtcd(): Promise<string> {
    const [client, peer] = [await freePort(), await freePort()];
    const clientUrl = `http://127.0.0.1:${client}`;
    const peerUrl = `http://127.0.0.1:${peer}`;
    const proc = this.spawn('etcd', this.bin.etcd, [
      '--name=controlplane',
      `--data-dir=${path.join(this.dir, 'etcd')}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=controlplane=${peerUrl}`,
      // Test data is thrown away; fsync only costs time.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
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
    this.writeKubeconfig(this.kubeconfig, certificateUser(this.admin));
    this.apiserverArgs = [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      // Without a default route the apiserver cannot guess an address to advertise.
      '--advertise-address=127.0.0.1',
      `--secure-port=${this.apiserverPort}`,
      `--cert-dir=${path.join(this.dir, 'apiserver')}`,
      `--tls-cert-file=${this.pki.serving.cert}`,
      `--tls-private-key-file=${this.pki.serving.key}`,
      `--client-ca-file=${this.pki.caCert}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${this.pki.serviceAccountPublicKey}`,
      `--service-account-signing-key-file=${this.pki.serviceAccountKey}`,
      // RBAC only, so that the operator's ClusterRole is what grants it anything.
      '--authorization-mode=RBAC',
      // Its own loopback endpoint would be rejected by Endpoints validation.
      '--endpoint-reconciler-type=none',
      '--allow-privileged=true',
      `--audit-policy-file=${policy}`,
      `--audit-log-path=${this.auditLog}`,
      '--audit-log-format=json',
      // Synchronous, so an event is on disk by the time a test looks for it.
      '--audit-log-mode=blocking',
      '--profiling=false',
      // No admission flags: the defaults include ServiceAccount (which envtest turns off), so
      // namespaces get their `default` ServiceAccount and pods their token, as on EKS.
    ];
    await this.startApiserver();
  }

  /** What kube-controller-manager and kube-scheduler share: their client, serving and election. */
  private componentArgs(kubeconfig: string, port: number): string[] {
    return [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${port}`,
      `--tls-cert-file=${this.pki.serving.cert}`,
      `--tls-private-key-file=${this.pki.serving.key}`,
      '--leader-elect=false',
    ];
  }

  private async startControllerManager(): Promise<void> {
    const port = await freePort();
    const kubeconfig = this.componentKubeconfig('controller-manager', CONTROLLER_MANAGER);
    const proc = this.spawn('kube-controller-manager', this.bin.kubeControllerManager, [
      ...this.componentArgs(kubeconfig, port),
      // As kubeadm does: each controller acts as its own ServiceAccount, so the audit log
      // says which controller wrote what.
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${this.pki.serviceAccountKey}`,
      `--root-ca-file=${this.pki.caCert}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
    ]);
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
    const proc = this.spawn('kube-scheduler', this.bin.kubeScheduler, [
      ...this.componentArgs(kubeconfig, port),
    ]);
    await waitUntil('kube-scheduler /healthz', proc, () => this.healthz(port), 60_000);
  }

  private async startKwok(): Promise<void> {
    const proc = this.spawn(
      'kwok',
      this.bin.kwok,
      [
        `--kubeconfig=${this.componentKubeconfig('kwok', KWOK)}`,
        `--config=${STAGES}`,
        '--manage-all-nodes=true',
        // Renew node leases; otherwise the node lifecycle controller marks the nodes
        // NotReady and taints them.
        '--node-lease-duration-seconds=40',
        `--node-ip=10.${this.podNet}.255.254`,
        `--cidr=${this.podCidr}`,
      ],
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
    this.writeKubeconfig(file, certificateUser(this.pki.client(name, identity)));
    return file;
  }

  // JSON is valid kubeconfig YAML, which spares a YAML dependency.
  private writeKubeconfig(file: string, user: Record<string, string>): void {
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'controlplane',
          cluster: { server: this.server, 'certificate-authority': this.pki.caCert },
        },
      ],
      users: [{ name: 'user', user }],
      contexts: [{ name: 'controlplane', context: { cluster: 'controlplane', user: 'user' } }],
      'current-context': 'controlplane',
    };
    fs.writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  }

  private writeState(): void {
    const state: RunState = {
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
    };
    fs.writeFileSync(path.join(this.dir, 'state.json'), JSON.stringify(state, null, 2));
  }
}

// Clients first: the apiserver shuts down in a second once nobody watches it, and nothing
// spends its last seconds retrying a dead apiserver.
const STOP_ORDER = ['kwok', 'kube-scheduler', 'kube-controller-manager', 'kube-apiserver', 'etcd'];

const RUN_PREFIX = 'controlplane-';

/**
 * Stops planes of this checkout whose owning process died without stopping them (a killed
 * jest run), and removes their directories. Planes of other checkouts are left alone.
 */
async function stopAbandonedPlanes(): Promise<void> {
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (!name.startsWith(RUN_PREFIX)) continue;
    const dir = path.join(os.tmpdir(), name);
    let state: RunState;
    try {
      state = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')) as RunState;
    } catch {
      continue; // Not ours, or still being created.
    }
    if (state.repo !== REPO_ROOT || state.ownerPid === undefined || isAlive(state.ownerPid)) {
      continue;
    }
    process.stderr.write(`controlplane: stopping abandoned plane in ${dir}\n`);
    await stopAll(state.processes);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function stopAll(processes: readonly ProcessRecord[]): Promise<void> {
  const rank = (p: ProcessRecord) => STOP_ORDER.indexOf(p.name);
  for (const proc of [...processes].sort((a, b) => rank(a) - rank(b))) await stopProcess(proc);
}

function certificateUser(pair: KeyPair): Record<string, string> {
  return { 'client-certificate': pair.cert, 'client-key': pair.key };
}

interface NodeList {
  items: { status?: { conditions?: { type: string; status: string }[] } }[];
}

// `controlplane:up` leaves one plane running; this file says where it is.
const CURRENT = path.join(RUN_STATE_DIR, 'current.json');

async function up(): Promise<void> {
  if (fs.existsSync(CURRENT)) {
    const state = JSON.parse(fs.readFileSync(CURRENT, 'utf8')) as RunState;
    if (state.processes.some((p) => isRunning(p.pid, p.binary))) {
      throw new Error(
        `a control plane is already up (${state.dir}); run \`npm run controlplane:down\` first`,
      );
    }
    await down();
  }
  const plane = await startControlPlane({ detached: true });
  fs.mkdirSync(RUN_STATE_DIR, { recursive: true });
  fs.copyFileSync(path.join(plane.dir, 'state.json'), CURRENT);
  console.log(`control plane ${VERSIONS.kubernetes} up in ${plane.dir}; pods get ${plane.podCidr}`);
  console.log(`KUBECONFIG=${plane.kubeconfig}`);
  // The binaries sit in the machine's cache, not in the checkout: say where this kubectl is.
  console.log(`kubectl of the same version: ${binaries().kubectl}`);
}

async function down(): Promise<void> {
  if (!fs.existsSync(CURRENT)) {
    console.log('no control plane is up');
    return;
  }
  const pointer = JSON.parse(fs.readFileSync(CURRENT, 'utf8')) as RunState;
  // The run's own state file is newer if the apiserver was restarted since `up`.
  const ownState = path.join(pointer.dir, 'state.json');
  const state = fs.existsSync(ownState)
    ? (JSON.parse(fs.readFileSync(ownState, 'utf8')) as RunState)
    : pointer;
  await stopAll(state.processes);
  fs.rmSync(state.dir, { recursive: true, force: true });
  fs.rmSync(CURRENT);
  console.log(`control plane in ${state.dir} stopped`);
}

if (require.main === module) {
  const commands: Record<string, () => Promise<void>> = { up, down };
  const command = commands[process.argv[2] ?? ''];
  if (!command) {
    console.error(`usage: tsx ${path.relative(REPO_ROOT, __filename)} up|down`);
    process.exit(2);
  }
  command().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}
