/**
 * The BitcoinNetwork operator end to end, on a real control plane: the controller runs as its
 * own process under the chart's ServiceAccount (a token kubeconfig, not admin), the StatefulSet
 * controller makes the pods, kwok makes them Ready, and a fake bitcoind on each pod's IP answers
 * the controller's JSON-RPC calls, which it sends to the pod IPs exactly as in a cluster (the
 * suite runs in a network namespace of tools/netns, where the pod range is local).
 *
 * The scenarios build on each other and run in order on one network.
 */
import { GROUP } from '../../controller/api';
import { loadProjectConfig } from '../../config';
import { rpcAuthLine } from '../../controller/bitcoin/credentials';
import { synthTarget } from '../../k8s/synth';
import { ControllerProcess } from '../../tools/bitcoin/controller-process';
import { FakeBitcoind } from '../../tools/bitcoin/fake-bitcoind';
import { eventually } from '../../tools/testplane/lib/eventually';
import { kubectl, KubectlError } from '../../tools/testplane/lib/kubectl';
import { sleep } from '../../tools/testplane/lib/process';
import {
  CONTROLLER_NAMESPACE,
  CONTROLLER_SA,
  CONTROLLER_USER,
} from '../../tools/bitcoin/operator-harness';
import { AdminApi } from '../../tools/testplane/lib/admin-api';
import { LocalOperator } from '../../tools/bitcoin/local-operator';
import { AuditEvent, WRITE_VERBS } from '../../tools/testplane/plane';
import { Grant, grantsTo, grantUsage } from '../../tools/testplane/lib/grants';
import { withTestPlane } from '../helpers/with-test-plane';

const NS = 'e2e';
const NET = 'alpha';
const NETWORK_PATH = `/apis/${GROUP}/v1alpha1/namespaces/${NS}/bitcoinnetworks/${NET}`;
// Long enough for a StatefulSet to roll pods one by one on two busy cores.
const CONVERGE_MS = 120_000;
// Re-checks each network this often, so a quiet period spans several resyncs.
const RESYNC_SECONDS = 2;
// The steady-state window: ten resyncs, every one of which must end without a write.
const QUIET_MS = 10 * RESYNC_SECONDS * 1000;
// The annotation whose drift makes the controller patch its Service back.
const SPEC_HASH = `${GROUP}/spec-hash`;

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}
interface NetworkStatus {
  observedGeneration?: number;
  replicas?: number;
  readyNodes?: number;
  nodes?: { ordinal: number; ready: boolean; ip: string; nodeName: string; dnsName: string }[];
  conditions?: Condition[];
}
interface Network {
  metadata: { uid: string; generation: number; resourceVersion: string };
  spec: { nodes: number };
  status?: NetworkStatus;
}
interface Owned {
  metadata: {
    name: string;
    uid: string;
    ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
  };
  spec?: { replicas?: number };
}
interface Pod {
  metadata: { name: string; uid: string; deletionTimestamp?: string };
  spec?: { nodeName?: string };
  status?: { podIP?: string; conditions?: { type: string; status: string }[] };
}

const condition = (network: Network, type: string) =>
  network.status?.conditions?.find((c) => c.type === type);

function operatorObjects(): Record<string, unknown>[] {
  // The chart's objects as a deployment gets them, minus the controller Deployment: the
  // controller runs here as a local process under the same ServiceAccount.
  const config = loadProjectConfig();
  const charts = synthTarget('local', config).filter((c) =>
    ['bitcoin-crd', 'bitcoin-operator'].includes(c.name),
  );
  return charts
    .flatMap((c) => c.objects)
    .filter((o) => o.kind !== 'Deployment')
    .map((o) => structuredClone(o) as Record<string, unknown>);
}

withTestPlane('the BitcoinNetwork operator end to end', (plane) => {
  let operator: LocalOperator;
  let fake: FakeBitcoind;
  let controller: ControllerProcess;
  let admin: AdminApi;
  let password = '';
  const k = (args: string[], stdin?: string) => kubectl(plane().kubeconfig, args, stdin);

  const network = () => admin.get<Network>(NETWORK_PATH);
  const secretOf = (name: string) =>
    admin.get<{ metadata: { uid: string }; data: Record<string, string> }>(
      `/api/v1/namespaces/${NS}/secrets/${name}`,
    );
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  const pods = async () =>
    (
      await admin.get<{ items: Pod[] }>(
        `/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent(`app.kubernetes.io/instance=${NET}`)}`,
      )
    ).items;
  const controllerWrites = (since: string): AuditEvent[] =>
    plane()
      .auditEvents()
      .filter(
        (e) =>
          e.user.username === CONTROLLER_USER &&
          WRITE_VERBS.has(e.verb) &&
          e.requestReceivedTimestamp >= since,
      );

  /**
   * Waits until the network is fully converged at `nodes`: status for the current generation
   * with every node ready, the StatefulSet at `nodes` replicas, `nodes` Ready pods, and every
   * fake bitcoind's added-node list holding exactly the other pods (a full mesh).
   */
  async function converged(nodes: number): Promise<Network> {
    return withLogTail(() => convergedOnce(nodes));
  }

  /**
   * Runs `check`; a failure carries the controller's log tail, where the reason usually is, and
   * each pod's node and conditions, for when the reason is the plane's scheduler or kwok.
   */
  async function withLogTail<T>(check: () => Promise<T>): Promise<T> {
    try {
      return await check();
    } catch (err) {
      const alive = controller.running() ? '' : ' (the controller process has ended)';
      const podLines = (await pods().catch(() => [])).map(
        (p) =>
          `${p.metadata.name} ${p.metadata.uid} node=${p.spec?.nodeName ?? 'none'} ` +
          (p.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`).join(','),
      );
      (err as Error).message +=
        `\n\npods:\n${podLines.join('\n')}` +
        `\n\ncontroller log tail${alive}:\n${controller.logTail(30)}`;
      throw err;
    }
  }

  /** Waits until none of the pods `before` (by uid) is left: the StatefulSet replaced them all. */
  async function replaced(before: readonly string[]): Promise<void> {
    await withLogTail(() =>
      eventually(async () => {
        const now = (await pods()).map((p) => p.metadata.uid);
        expect(now.filter((uid) => before.includes(uid))).toEqual([]);
      }, CONVERGE_MS),
    );
  }
  const podUids = async () => (await pods()).map((p) => p.metadata.uid);

  async function convergedOnce(nodes: number): Promise<Network> {
    return eventually(async () => {
      const net = await network();
      expect(net.spec.nodes).toBe(nodes);
      expect(net.status?.observedGeneration).toBe(net.metadata.generation);
      const sts = await admin.get<Owned>(`/apis/apps/v1/namespaces/${NS}/statefulsets/${NET}-sts`);
      expect(sts.spec?.replicas).toBe(nodes);
      const live = (await pods()).filter((p) => !p.metadata.deletionTimestamp);
      expect(live).toHaveLength(nodes);
      for (const pod of live) {
        expect(pod.status?.conditions).toContainEqual(
          expect.objectContaining({ type: 'Ready', status: 'True' }),
        );
      }
      const ips = live.map((p) => p.status?.podIP ?? '').sort();
      expect(net.status?.readyNodes).toBe(nodes);
      expect(net.status?.replicas).toBe(nodes);
      expect(net.status?.nodes?.map((n) => n.ip).sort()).toEqual(ips);
      expect(net.status?.nodes).toEqual(
        Array.from({ length: nodes }, (_, i) =>
          expect.objectContaining({
            ordinal: i,
            ready: true,
            ip: expect.stringMatching(/^10\./),
            dnsName: `${NET}-sts-${i}.${NET}-svc.${NS}.svc.cluster.local`,
          }),
        ),
      );
      expect(condition(net, 'Ready')).toMatchObject({ status: 'True' });
      expect(condition(net, 'Degraded')).toMatchObject({ status: 'False' });
      for (const ip of ips) {
        const peers = ips.filter((other) => other !== ip).map((other) => `${other}:18444`);
        expect({ ip, added: fake.addedNodes(ip) }).toEqual({
          ip,
          added: peers,
        });
      }
      return net;
    }, CONVERGE_MS);
  }

  beforeAll(async () => {
    admin = new AdminApi(plane().kubeconfig);
    const objects = operatorObjects();
    await k(
      ['apply', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
    );
    await k([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      `crd/bitcoinnetworks.${GROUP}`,
    ]);
    await k(['create', 'namespace', NS]);
    operator = await LocalOperator.start(plane(), {
      name: 'e2e-controller',
      resyncSeconds: RESYNC_SECONDS,
    });
    ({ fake, controller } = operator);
  }, 120_000);

  afterAll(() => operator?.stop(), 60_000);

  describe('RBAC of the chart ServiceAccount', () => {
    // [verb, resource, namespace or '' for cluster scope, allowed]
    const TABLE: [string, string, string, boolean][] = [
      // What the ClusterRole grants, in every namespace.
      ['get', `bitcoinnetworks.${GROUP}`, NS, true],
      ['list', `bitcoinnetworks.${GROUP}`, '', true],
      ['watch', `bitcoinnetworks.${GROUP}`, '', true],
      ['update', `bitcoinnetworks.${GROUP}/status`, NS, true],
      ['patch', `bitcoinnetworks.${GROUP}/status`, NS, false],
      ['get', 'statefulsets.apps', NS, true],
      ['list', 'statefulsets.apps', '', true],
      ['watch', 'statefulsets.apps', '', true],
      ['create', 'statefulsets.apps', NS, true],
      ['update', 'statefulsets.apps', NS, false],
      ['patch', 'statefulsets.apps', NS, true],
      ['get', 'services', NS, true],
      ['list', 'services', '', true],
      ['watch', 'services', '', true],
      ['create', 'services', NS, true],
      ['update', 'services', NS, false],
      ['patch', 'services', NS, true],
      ['get', 'pods', NS, false],
      ['list', 'pods', '', true],
      ['watch', 'pods', '', true],
      ['get', 'secrets', NS, true],
      ['list', 'secrets', '', true],
      ['watch', 'secrets', '', true],
      ['create', 'secrets', NS, true],
      // Only <name>-rpcauth, the one Secret it changes (a code rule: RBAC cannot say which).
      ['patch', 'secrets', NS, true],
      ['create', 'events', NS, true],
      ['get', 'networkpolicies.networking.k8s.io', NS, true],
      ['list', 'networkpolicies.networking.k8s.io', '', true],
      ['watch', 'networkpolicies.networking.k8s.io', '', true],
      ['create', 'networkpolicies.networking.k8s.io', NS, true],
      ['patch', 'networkpolicies.networking.k8s.io', NS, true],
      ['get', 'poddisruptionbudgets.policy', NS, true],
      ['list', 'poddisruptionbudgets.policy', '', true],
      ['watch', 'poddisruptionbudgets.policy', '', true],
      ['create', 'poddisruptionbudgets.policy', NS, true],
      ['patch', 'poddisruptionbudgets.policy', NS, true],
      ['patch', 'events', NS, false],
      ['create', 'events.events.k8s.io', NS, false],
      ['patch', 'events.events.k8s.io', NS, false],
      // Networks are the user's: the controller writes only their status.
      ['create', `bitcoinnetworks.${GROUP}`, NS, false],
      ['update', `bitcoinnetworks.${GROUP}`, NS, false],
      ['patch', `bitcoinnetworks.${GROUP}`, NS, false],
      ['delete', `bitcoinnetworks.${GROUP}`, NS, false],
      ['update', `bitcoinnetworks.${GROUP}/scale`, NS, false],
      // No deletes at all: the garbage collector removes children.
      ['delete', 'statefulsets.apps', NS, false],
      ['delete', 'services', NS, false],
      ['delete', 'pods', NS, false],
      ['deletecollection', 'pods', NS, false],
      ['delete', 'events', NS, false],
      // Generated Secrets are created once, never rotated or removed.
      ['update', 'secrets', NS, false],
      ['delete', 'secrets', NS, false],
      // Pods are the StatefulSet controller's.
      ['create', 'pods', NS, false],
      ['update', 'pods', NS, false],
      ['create', 'pods/exec', NS, false],
      ['update', 'statefulsets.apps/scale', NS, false],
      // Nothing cluster-wide, nothing else.
      ['get', 'nodes', '', false],
      ['list', 'nodes', '', false],
      ['get', 'configmaps', NS, false],
      ['create', 'serviceaccounts/token', NS, false],
      ['list', 'deployments.apps', '', false],
      ['create', 'clusterroles.rbac.authorization.k8s.io', '', false],
      ['create', 'rolebindings.rbac.authorization.k8s.io', NS, false],
      ['update', `customresourcedefinitions.apiextensions.k8s.io`, '', false],
      ['list', 'bitcoinnetworks.other.example.com', '', false],
      ['*', '*', NS, false],
      ['*', '*', '', false],
      ['get', '*', NS, false],
      ['impersonate', 'users', '', false],
    ];

    async function canI(verb: string, resource: string, namespace: string): Promise<boolean> {
      const scope = namespace ? ['-n', namespace] : ['--all-namespaces'];
      // `kubectl auth can-i update x/status` would ask about an object named "status".
      const [base, sub] = resource.split('/');
      const subresource = sub ? [`--subresource=${sub}`] : [];
      try {
        await k([
          'auth',
          'can-i',
          verb,
          base,
          ...subresource,
          ...scope,
          `--as=${CONTROLLER_USER}`,
          '--quiet',
        ]);
        return true;
      } catch (err) {
        // --quiet: "no" is exit 1 with at most warnings (e.g. an unknown resource type) on
        // stderr; anything else there is a real failure.
        const stderr = err instanceof KubectlError ? err.stderr.trim() : undefined;
        if (
          stderr !== undefined &&
          stderr.split('\n').every((l) => l === '' || l.startsWith('Warning:'))
        ) {
          return false;
        }
        throw err;
      }
    }

    test.each(TABLE)('%s %s (namespace "%s"): allowed=%s', async (verb, resource, ns, allowed) => {
      expect(await canI(verb, resource, ns)).toBe(allowed);
    });

    test('the table covers every rule of the ClusterRole', () => {
      const role = operatorObjects().find((o) => o.kind === 'ClusterRole') as {
        rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
      };
      const granted = role.rules.flatMap((r) =>
        r.resources.flatMap((res) =>
          r.verbs.map((v) => {
            const [base, sub] = res.split('/');
            const group = r.apiGroups[0] ? `.${r.apiGroups[0]}` : '';
            return `${v} ${base}${group}${sub ? `/${sub}` : ''}`;
          }),
        ),
      );
      const allowedRows = TABLE.filter(([, , , allowed]) => allowed).map(
        ([v, res]) => `${v} ${res}`,
      );
      expect([...new Set(allowedRows)].sort()).toEqual([...new Set(granted)].sort());
    });
  });

  test('runs the controller as the chart ServiceAccount, not as admin', async () => {
    await eventually(async () => {
      const reads = plane()
        .auditEvents()
        // Informers list, then watch; a watch is audited only when it ends.
        .filter((e) => e.user.username === CONTROLLER_USER && e.verb === 'list');
      expect(reads.map((e) => e.objectRef?.resource)).toEqual(
        expect.arrayContaining(['bitcoinnetworks', 'statefulsets', 'services', 'pods', 'secrets']),
      );
    });
  });

  test('create: a network of 3 gets owned children, Ready pods, status and a full mesh', async () => {
    await k(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: `${GROUP}/v1alpha1`,
        kind: 'BitcoinNetwork',
        metadata: { name: NET, namespace: NS },
        spec: { nodes: 3 },
      }),
    );
    const net = await converged(3);
    for (const [resource, name] of [
      ['statefulsets.apps', `${NET}-sts`],
      ['services', `${NET}-svc`],
      ['secrets', `${NET}-rpc`],
    ]) {
      const child = JSON.parse(await k(['get', resource, name, '-n', NS, '-o', 'json'])) as Owned;
      expect(child.metadata.ownerReferences).toEqual([
        expect.objectContaining({
          kind: 'BitcoinNetwork',
          name: NET,
          uid: net.metadata.uid,
          controller: true,
        }),
      ]);
    }
    const secret = await admin.get<{ data: Record<string, string> }>(
      `/api/v1/namespaces/${NS}/secrets/${NET}-rpc`,
    );
    password = Buffer.from(secret.data.password, 'base64').toString('utf8');
    const svc = JSON.parse(await k(['get', 'service', `${NET}-svc`, '-n', NS, '-o', 'json']));
    expect(svc.spec.clusterIP).toBe('None');
    // The controller dialled every pod at its IP, with the right credentials.
    const podIps = net.status!.nodes!.map((n) => n.ip).sort();
    expect([...new Set(fake.calls.map((c) => c.address))].sort()).toEqual(podIps);
    expect(fake.calls.filter((c) => c.error === 401)).toEqual([]);
  });

  test(
    'steady state: no writes by the controller while nothing changes',
    async () => {
      await converged(3);
      const since = new Date().toISOString();
      const rpcBefore = fake.calls.length;
      await sleep(QUIET_MS);
      expect(controllerWrites(since).map((e) => `${e.verb} ${e.objectRef?.resource}`)).toEqual([]);
      // It did look: resyncs went on reading the mesh, and changed nothing.
      const rpc = fake.calls.slice(rpcBefore);
      expect(rpc.length).toBeGreaterThan(0);
      expect(rpc.filter((c) => c.method === 'addnode')).toEqual([]);
    },
    QUIET_MS + CONVERGE_MS + 10_000,
  );

  test(
    'scale: kubectl scale to 5, then to 1, and the mesh follows',
    async () => {
      await k(['scale', `bitcoinnetwork/${NET}`, '-n', NS, '--replicas=5']);
      const five = await converged(5);
      const ips5 = five.status!.nodes!.map((n) => n.ip);
      const since = fake.calls.length;
      await k(['scale', `bitcoinnetwork/${NET}`, '-n', NS, '--replicas=1']);
      const one = await converged(1);
      const [survivor] = one.status!.nodes!;
      expect(ips5).toContain(survivor.ip);
      // The survivor was told to forget each removed peer, not merely restarted.
      const removed = fake.calls
        .slice(since)
        .filter(
          (c) =>
            c.address === survivor.ip &&
            c.method === 'addnode' &&
            c.params[1] === 'remove' &&
            c.error === undefined,
        )
        .map((c) => c.params[0])
        .sort();
      expect(removed).toEqual(
        ips5
          .filter((ip) => ip !== survivor.ip)
          .map((ip) => `${ip}:18444`)
          .sort(),
      );
    },
    2 * CONVERGE_MS,
  );

  test(
    'drift: a deleted StatefulSet is recreated and edited replicas are set back',
    async () => {
      await k(['scale', `bitcoinnetwork/${NET}`, '-n', NS, '--replicas=3']);
      await converged(3);
      const before = await admin.get<Owned>(
        `/apis/apps/v1/namespaces/${NS}/statefulsets/${NET}-sts`,
      );
      await k(['delete', 'statefulset', `${NET}-sts`, '-n', NS, '--wait=true']);
      const after = await eventually(async () => {
        const sts = await admin.get<Owned>(
          `/apis/apps/v1/namespaces/${NS}/statefulsets/${NET}-sts`,
        );
        expect(sts.metadata.uid).not.toBe(before.metadata.uid);
        return sts;
      }, CONVERGE_MS);
      expect(after.metadata.ownerReferences?.[0]).toMatchObject({ name: NET, controller: true });
      await converged(3);

      await k(['scale', 'statefulset', `${NET}-sts`, '-n', NS, '--replicas=6']);
      await eventually(async () => {
        const sts = await admin.get<Owned>(
          `/apis/apps/v1/namespaces/${NS}/statefulsets/${NET}-sts`,
        );
        expect(sts.spec?.replicas).toBe(3);
      }, CONVERGE_MS);
      await converged(3);

      // Hand edits of the other children are patched back too.
      await k(['annotate', 'service', `${NET}-svc`, '-n', NS, `${SPEC_HASH}=stale`, '--overwrite']);
      await k([
        'patch',
        'pdb',
        `${NET}-pdb`,
        '-n',
        NS,
        '--type=merge',
        '-p',
        '{"spec":{"maxUnavailable":2}}',
      ]);
      await k([
        'patch',
        'networkpolicy',
        `${NET}-netpol`,
        '-n',
        NS,
        '--type=merge',
        '-p',
        '{"spec":{"ingress":[]}}',
      ]);
      await eventually(async () => {
        const base = (group: string) => `/apis/${group}/namespaces/${NS}`;
        const svc = await admin.get<{ metadata: { annotations: Record<string, string> } }>(
          `/api/v1/namespaces/${NS}/services/${NET}-svc`,
        );
        expect(svc.metadata.annotations[SPEC_HASH]).not.toBe('stale');
        const pdb = await admin.get<{ spec: { maxUnavailable: number } }>(
          `${base('policy/v1')}/poddisruptionbudgets/${NET}-pdb`,
        );
        expect(pdb.spec.maxUnavailable).toBe(1);
        const policy = await admin.get<{ spec: { ingress?: unknown[] } }>(
          `${base('networking.k8s.io/v1')}/networkpolicies/${NET}-netpol`,
        );
        expect(policy.spec.ingress).toHaveLength(2);
      }, CONVERGE_MS);
    },
    4 * CONVERGE_MS,
  );

  test(
    '409 conflicts: status writes that race other writers are retried and converge',
    async () => {
      const conflicts = () =>
        plane()
          .auditEvents()
          .filter(
            (e) =>
              e.user.username === CONTROLLER_USER &&
              e.objectRef?.resource === 'bitcoinnetworks' &&
              e.objectRef.subresource === 'status' &&
              e.responseStatus?.code === 409,
          );
      const before = conflicts().length;
      // Another writer keeps bumping the network's resourceVersion (a label, so no new
      // generation) while the spec changes make the controller write status.
      let churning = true;
      let bumps = 0;
      const churn = (async () => {
        while (churning) {
          await admin
            .mergePatch(NETWORK_PATH, { metadata: { labels: { churn: String(bumps++) } } })
            .catch(() => undefined);
        }
      })();
      try {
        let nodes = 3;
        await eventually(async () => {
          if (conflicts().length > before) return;
          nodes = nodes === 3 ? 2 : 3;
          await k(['scale', `bitcoinnetwork/${NET}`, '-n', NS, `--replicas=${nodes}`]);
          await sleep(1_000);
          throw new Error(`no 409 for the controller yet after ${bumps} concurrent writes`);
        }, CONVERGE_MS);
      } finally {
        churning = false;
        await churn;
      }
      await k(['scale', `bitcoinnetwork/${NET}`, '-n', NS, '--replicas=3']);
      await converged(3);
    },
    3 * CONVERGE_MS,
  );

  test(
    'faults: kube-apiserver killed mid-change and restarted; the controller converges',
    async () => {
      await k(['scale', `bitcoinnetwork/${NET}`, '-n', NS, '--replicas=4']);
      await plane().stopApiserver();
      // The outage: long enough for every watch to break and retry.
      await sleep(5_000);
      await plane().startApiserver();
      await converged(4);
      expect(controller.running()).toBe(true);
      // The watches are back: a change after the restart is seen too.
      await k(['scale', `bitcoinnetwork/${NET}`, '-n', NS, '--replicas=2']);
      await converged(2);
    },
    3 * CONVERGE_MS,
  );

  test(
    'faults: bitcoind RPC down gives a Degraded condition, and back up the mesh is rebuilt',
    async () => {
      await converged(2);
      await fake.stop({ restart: true });
      const degraded = await eventually(async () => {
        const net = await network();
        expect(condition(net, 'Degraded')).toMatchObject({ status: 'True', reason: 'RPCError' });
        expect(condition(net, 'Ready')).toMatchObject({ status: 'False' });
        return net;
      }, CONVERGE_MS);
      expect(condition(degraded, 'Degraded')?.message).toMatch(/RPC mesh failed: pod alpha-sts-/);
      await fake.start();
      // The restarted nodes lost their added-node lists: converged() needs them re-added.
      await converged(2);
    },
    3 * CONVERGE_MS,
  );

  test(
    'rotation: deleting the generated Secret rolls the pods to new credentials and RPC works again',
    async () => {
      await converged(2);
      const before = await secretOf(`${NET}-rpc`);
      const podsBefore = await podUids();
      await k(['delete', 'secret', `${NET}-rpc`, '-n', NS]);
      const after = await eventually(async () => {
        const secret = await secretOf(`${NET}-rpc`);
        expect(secret.metadata.uid).not.toBe(before.metadata.uid);
        return secret;
      }, CONVERGE_MS);
      expect(after.data.password).not.toBe(before.data.password);
      // The old pods keep the old line (every call to them gets 401) until they are replaced;
      // the new ones start with the new line, and the mesh and Ready come back.
      await replaced(podsBefore);
      await converged(2);
      password = Buffer.from(after.data.password, 'base64').toString('utf8');
    },
    3 * CONVERGE_MS,
  );

  test(
    'rotation: a user Secret, changed, rolls the pods too; its derived line stays out of the pod spec',
    async () => {
      const line = (pw: string) => rpcAuthLine('carol', pw, '00112233445566778899aabbccddeeff');
      const data = (pw: string) => ({
        username: b64('carol'),
        password: b64(pw),
        rpcauth: b64(line(pw)),
      });
      await k(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'carol-creds', namespace: NS },
          data: data('first'),
        }),
      );
      await k([
        'patch',
        `bitcoinnetwork/${NET}`,
        '-n',
        NS,
        '--type=merge',
        '-p',
        JSON.stringify({ spec: { rpcSecretName: 'carol-creds' } }),
      ]);
      await converged(2);
      const podsBefore = await podUids();
      await admin.mergePatch(`/api/v1/namespaces/${NS}/secrets/carol-creds`, {
        data: data('second'),
      });
      await replaced(podsBefore);
      await converged(2);
      expect((await secretOf(`${NET}-rpcauth`)).data.rpcauth).toBe(b64(line('second')));

      // Without an rpcauth key the controller derives the line (the fakes check it as bitcoind
      // does); it lives in the controller's Secret, never in the pod spec.
      const podsWithLine = await podUids();
      await admin.mergePatch(`/api/v1/namespaces/${NS}/secrets/carol-creds`, {
        data: { password: b64('third'), rpcauth: null },
      });
      await replaced(podsWithLine);
      await converged(2);
      const derived = Buffer.from(
        (await secretOf(`${NET}-rpcauth`)).data.rpcauth,
        'base64',
      ).toString('utf8');
      expect(derived).toMatch(/^carol:[0-9a-f]{32}\$[0-9a-f]{64}$/);
      const sts = await admin.get<{ spec: { template: unknown } }>(
        `/apis/apps/v1/namespaces/${NS}/statefulsets/${NET}-sts`,
      );
      expect(JSON.stringify(sts.spec.template)).not.toContain(derived.split('$')[1]);
      // The user's Secret was only ever read.
      expect(
        plane()
          .auditEvents()
          .filter(
            (e) =>
              e.user.username === CONTROLLER_USER &&
              e.objectRef?.name === 'carol-creds' &&
              e.verb !== 'get',
          ),
      ).toEqual([]);
    },
    6 * CONVERGE_MS,
  );

  test(
    'delete: the garbage collector removes every child of a deleted network',
    async () => {
      await k(['delete', `bitcoinnetwork/${NET}`, '-n', NS, '--wait=true']);
      await eventually(async () => {
        const left = await k([
          'get',
          'statefulsets,services,secrets,pods',
          '-n',
          NS,
          '-l',
          `app.kubernetes.io/instance=${NET}`,
          '-o',
          'name',
        ]);
        expect(left.trim()).toBe('');
      }, CONVERGE_MS);
    },
    2 * CONVERGE_MS,
  );

  test(
    'RBAC: the chart grants exactly the calls the controller made, no more and no fewer',
    async () => {
      // Watches are audited when they end: stop the controller, then wait for every informer's.
      await controller.stop();
      const objects = operatorObjects();
      const watched = [
        'bitcoinnetworks',
        'statefulsets',
        'services',
        'pods',
        'secrets',
        'networkpolicies',
        'poddisruptionbudgets',
      ];
      await eventually(async () => {
        const watches = plane()
          .auditEvents()
          .filter((e) => e.user.username === CONTROLLER_USER && e.verb === 'watch');
        expect(watches.map((e) => e.objectRef?.resource)).toEqual(expect.arrayContaining(watched));
      });
      const account = { namespace: CONTROLLER_NAMESPACE, name: CONTROLLER_SA };
      // The leader-election Role is compared by the leader-election suite, where leases are used.
      const networkGrants = (o: readonly object[]): Grant[] =>
        grantsTo(o, account).filter((g) => g.namespace !== CONTROLLER_NAMESPACE);
      const usage = (o: readonly object[]) =>
        grantUsage(networkGrants(o), plane().auditEvents(), CONTROLLER_USER);
      expect(usage(objects)).toEqual({ unused: [], missing: [] });

      // The same run against a ClusterRole with one rule more, and one with a rule less: each
      // is reported.
      const withRules = (edit: (rules: Record<string, unknown>[]) => Record<string, unknown>[]) =>
        objects.map((o) =>
          o.kind === 'ClusterRole'
            ? { ...o, rules: edit(o.rules as Record<string, unknown>[]) }
            : o,
        );
      const wider = withRules((rules) => [
        ...rules,
        { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] },
      ]);
      expect(usage(wider)).toEqual({
        unused: ['ClusterRole bitcoin-controller: list deployments.apps'],
        missing: [],
      });
      const narrower = withRules((rules) =>
        rules.filter((r) => !(r.resources as string[]).includes('events')),
      );
      expect(usage(narrower)).toEqual({
        unused: [],
        missing: [`create events in ${NS}: not granted`],
      });
    },
    CONVERGE_MS,
  );

  test('the generated RPC password never appears in the controller log', () => {
    expect(password.length).toBeGreaterThan(20);
    const log = controller.log();
    // The log is real: it recorded the mesh work.
    expect(log).toMatch(/"msg":"addnode"/);
    const forms = [
      password,
      Buffer.from(password).toString('base64'),
      Buffer.from(`bitcoin:${password}`).toString('base64'),
    ];
    for (const form of forms) expect(log.includes(form)).toBe(false);
  });
});
