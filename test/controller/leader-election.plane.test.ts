/**
 * Two controller processes against a real kube-apiserver, each with the controller's own
 * ServiceAccount token (so exactly the chart's RBAC applies): one leads and writes, the other
 * stands by; SIGKILL the leader and the standby takes the Lease over and converges what is new;
 * SIGTERM releases the Lease.
 *
 * Both processes authenticate as the same ServiceAccount, so the audit log cannot tell them
 * apart: the Lease holder and each process's own /metrics do.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { stringify } from 'yaml';
import { LEASE_NAME } from '../../controller/api';
import { apiServerAddresses } from '../../k8s/api-server';
import { BitcoinOperatorChart, CONTROLLER_NAMESPACE } from '../../k8s/bitcoin-operator-chart';
import { REPO_ROOT } from '../../tools/base/repo-root';
import { ControllerProcess } from '../../tools/bitcoin/controller-process';
import { eventually } from '../../tools/testplane/lib/eventually';
import { grantsTo, grantUsage } from '../../tools/testplane/lib/grants';
import { getJson, kubectl } from '../../tools/testplane/lib/kubectl';
import { withTestPlane } from '../helpers/with-test-plane';

const NS = 'leader-test';
const SA_USER = `system:serviceaccount:${CONTROLLER_NAMESPACE}:bitcoin-controller`;
const CHILD_WRITE_RESOURCES = [
  'secrets',
  'services',
  'statefulsets',
  'networkpolicies',
  'poddisruptionbudgets',
  'events',
  'bitcoinnetworks/status',
];
// Generous: a cold tsx start, a lease duration, a retry, on a busy 2-core machine.
const TAKEOVER_TIMEOUT_MS = 90_000;

interface Lease {
  spec: { holderIdentity?: string; leaseDurationSeconds?: number; leaseTransitions?: number };
}

interface Owned {
  metadata: { ownerReferences?: { kind: string; name: string; controller?: boolean }[] };
}

const network = (name: string) => ({
  apiVersion: 'bitcoin.eksplatform.dev/v1alpha1',
  kind: 'BitcoinNetwork',
  metadata: { name, namespace: NS },
  spec: { nodes: 1 },
});

/** Writes of children and status a process made, by its own counters (leases excluded). */
async function childWrites(proc: ControllerProcess): Promise<number> {
  let n = 0;
  for (const resource of CHILD_WRITE_RESOURCES) {
    for (const verb of ['create', 'patch', 'update']) {
      n += await proc.metric('bitcoin_controller_api_requests_total', { verb, resource });
    }
  }
  return n;
}

withTestPlane('leader election of two controller processes', (plane) => {
  const procs: ControllerProcess[] = [];
  let admin: string;
  let start: (name: string) => Promise<ControllerProcess>;
  let operator: object[];

  const holder = async (): Promise<string> =>
    (await getJson<Lease>(admin, ['lease', '-n', CONTROLLER_NAMESPACE, LEASE_NAME])).spec
      .holderIdentity ?? '';

  /** Waits until every child of `name` exists, is controlled by it, and status is written. */
  const converged = (name: string) =>
    eventually(async () => {
      for (const [kind, child] of [
        ['statefulset', `${name}-sts`],
        ['service', `${name}-svc`],
        ['secret', `${name}-rpc`],
        ['networkpolicy', `${name}-netpol`],
        ['poddisruptionbudget', `${name}-pdb`],
      ]) {
        const obj = await getJson<Owned>(admin, [kind, '-n', NS, child]);
        expect(obj.metadata.ownerReferences).toEqual([
          expect.objectContaining({ kind: 'BitcoinNetwork', name, controller: true }),
        ]);
      }
      const net = await getJson<{ status?: { observedGeneration?: number } }>(admin, [
        'bitcoinnetwork',
        '-n',
        NS,
        name,
      ]);
      expect(net.status?.observedGeneration).toBe(1);
    }, TAKEOVER_TIMEOUT_MS);

  beforeAll(async () => {
    admin = plane().kubeconfig;
    const dir = plane().dir;
    // GIVEN the CRD, and the operator chart's namespace, RBAC and policies (not its Deployment:
    // the controllers run here as local processes)
    await kubectl(admin, ['apply', '-f', path.join(REPO_ROOT, 'k8s/crds/bitcoinnetwork.yaml')]);
    await kubectl(admin, [
      'wait',
      '--for=condition=Established',
      'crd/bitcoinnetworks.bitcoin.eksplatform.dev',
      '--timeout=60s',
    ]);
    operator = Testing.synth(
      new BitcoinOperatorChart(Testing.app(), 'operator', {
        image: 'registry.invalid/bitcoin-controller:1',
        apiServer: apiServerAddresses('local', '10.0.0.0/16'),
      }),
    ).filter((m) => m.kind !== 'Deployment');
    const file = path.join(dir, 'operator.yaml');
    fs.writeFileSync(file, operator.map((m) => stringify(m)).join('---\n'));
    await kubectl(admin, ['apply', '-f', file]);
    await kubectl(admin, ['create', 'namespace', NS]);
    const sa = await plane().serviceAccountKubeconfig(CONTROLLER_NAMESPACE, 'bitcoin-controller');

    // AND two controller processes campaigning for the Lease
    start = async (name: string) => {
      const proc = new ControllerProcess({
        name,
        logFile: path.join(dir, `controller-${name}.log`),
        kubeconfig: sa,
        rpcTimeoutMs: 500,
        resyncSeconds: 5,
        args: ['--leader-elect', '--leader-election-namespace', CONTROLLER_NAMESPACE],
        startTimeoutMs: TAKEOVER_TIMEOUT_MS,
      });
      procs.push(proc);
      await proc.start();
      return proc;
    };
    await Promise.all([start('ctl-a'), start('ctl-b')]);
  }, 180_000);

  afterAll(async () => {
    for (const p of procs) {
      p.kill('SIGKILL');
      await p.exited;
    }
  });

  let leader: ControllerProcess;
  let standby: ControllerProcess;

  test('one process takes the Lease; both are ready; only the leader reconciles and writes', async () => {
    // WHEN one of them holds the Lease
    const identity = await eventually(async () => {
      for (const p of procs) expect(p.running()).toBe(true);
      const h = await holder();
      expect(h).toMatch(/^ctl-[ab]_[0-9a-f]{8}$/);
      return h;
    }, TAKEOVER_TIMEOUT_MS);
    leader = procs.find((p) => identity.startsWith(`${p.name}_`))!;
    standby = procs.find((p) => p !== leader)!;
    // THEN both report ready (caches synced: leader or standby)
    await eventually(async () => {
      for (const p of procs) expect((await p.get('/readyz')).status).toBe(200);
    }, TAKEOVER_TIMEOUT_MS);
    for (const p of procs) expect((await p.get('/healthz')).status).toBe(200);

    // WHEN a network is created THEN the leader converges it
    await kubectl(admin, ['apply', '-f', '-'], JSON.stringify(network('net-a')));
    await converged('net-a');

    // AND the leader's counters show the work, the standby's show none
    expect(await leader.metric('bitcoin_controller_leader')).toBe(1);
    expect(await standby.metric('bitcoin_controller_leader')).toBe(0);
    expect(await leader.metric('bitcoin_controller_syncs_total')).toBeGreaterThan(0);
    expect(await leader.metric('bitcoin_controller_sync_duration_seconds_count')).toBeGreaterThan(
      0,
    );
    expect(await childWrites(leader)).toBeGreaterThan(0);
    // (its pod is Ready under kwok, so it dials its pod IP, where no bitcoind listens)
    await eventually(async () => {
      expect(
        await leader.metric('bitcoin_controller_rpc_requests_total', {
          method: 'getaddednodeinfo',
          result: 'connection_error',
        }),
      ).toBeGreaterThan(0);
    }, TAKEOVER_TIMEOUT_MS);
    expect(await standby.metric('bitcoin_controller_rpc_requests_total')).toBe(0);
    // AND what the apiserver stored for the policy and the budget matches the desired spec, so
    // resyncs (every 5 s here, several by now) never patch them
    for (const resource of ['networkpolicies', 'poddisruptionbudgets', 'services']) {
      expect(
        await leader.metric('bitcoin_controller_api_requests_total', { verb: 'patch', resource }),
      ).toBe(0);
    }
    const policy = await getJson<{ spec: { ingress: { from?: unknown[] }[] } }>(admin, [
      'networkpolicy',
      '-n',
      NS,
      'net-a-netpol',
    ]);
    expect(policy.spec.ingress.map((rule) => rule.from?.length)).toEqual([1, 1]);
    expect(await standby.metric('bitcoin_controller_syncs_total')).toBe(0);
    expect(await childWrites(standby)).toBe(0);
    // AND the apiserver saw the StatefulSet created once, with no losing second attempt
    const creates = plane()
      .auditEvents()
      .filter(
        (e) =>
          e.user.username === SA_USER &&
          e.verb === 'create' &&
          e.objectRef?.resource === 'statefulsets' &&
          e.objectRef?.namespace === NS,
      );
    expect(creates.map((e) => e.responseStatus?.code)).toEqual([201]);
    // AND the generated RPC password and rpcauth line appear in neither process's log
    const secret = await getJson<{ data: Record<string, string> }>(admin, [
      'secret',
      '-n',
      NS,
      'net-a-rpc',
    ]);
    for (const key of ['password', 'rpcauth']) {
      const value = Buffer.from(secret.data[key], 'base64').toString();
      expect(value.length).toBeGreaterThan(8);
      for (const p of procs) expect(p.log()).not.toContain(value);
    }
    expect(leader.log()).toContain('acquired the lease; leading');
  }, 240_000);

  test('SIGKILL the leader: the standby takes the Lease within the lease time and converges a new network', async () => {
    // WHEN the leader dies without releasing the Lease
    const before = await holder();
    leader.kill('SIGKILL');
    await leader.exited;
    // THEN the standby takes it over once it expires
    await eventually(async () => {
      expect(await holder()).toMatch(new RegExp(`^${standby.name}_`));
    }, TAKEOVER_TIMEOUT_MS);
    expect(await holder()).not.toBe(before);
    const lease = await getJson<Lease>(admin, ['lease', '-n', CONTROLLER_NAMESPACE, LEASE_NAME]);
    expect(lease.spec.leaseDurationSeconds).toBe(15);
    expect(lease.spec.leaseTransitions).toBe(1);
    await eventually(async () => {
      expect(await standby.metric('bitcoin_controller_leader')).toBe(1);
    });

    // AND converges a network created after the failover
    await kubectl(admin, ['apply', '-f', '-'], JSON.stringify(network('net-b')));
    await converged('net-b');
    expect(await standby.metric('bitcoin_controller_syncs_total')).toBeGreaterThan(0);
    expect(await childWrites(standby)).toBeGreaterThan(0);
  }, 240_000);

  test('SIGTERM: the leader drains, releases the Lease and exits 0', async () => {
    standby.kill('SIGTERM');
    expect(await standby.exited).toBe(0);
    const lease = await getJson<Lease>(admin, ['lease', '-n', CONTROLLER_NAMESPACE, LEASE_NAME]);
    expect(lease.spec.holderIdentity ?? '').toBe('');
    expect(lease.spec.leaseDurationSeconds).toBe(1);
    expect(standby.log()).toContain('released the lease');
  }, 60_000);

  test('the leader-election Role grants exactly the Lease calls the processes made', () => {
    // (operator-e2e compares the ClusterRole with a run that uses every rule of it)
    const account = { namespace: CONTROLLER_NAMESPACE, name: 'bitcoin-controller' };
    const usage = grantUsage(grantsTo(operator, account), plane().auditEvents(), SA_USER);
    expect(usage.missing).toEqual([]);
    const leaderRole = `Role ${CONTROLLER_NAMESPACE}/bitcoin-controller:`;
    expect(usage.unused.filter((u) => u.startsWith(leaderRole))).toEqual([]);
  });

  test('a leader cut off from the apiserver stops at the renew deadline and exits 1', async () => {
    // GIVEN a fresh controller that leads (the Lease was released above)
    const solo = await start('ctl-c');
    await eventually(async () => {
      expect(await holder()).toMatch(/^ctl-c_/);
    }, TAKEOVER_TIMEOUT_MS);
    // WHEN the apiserver goes away for longer than the renew deadline
    await plane().stopApiserver();
    try {
      // THEN the process gives up leading on its own and exits 1 (to restart as a standby)
      expect(await solo.exited).toBe(1);
      expect(solo.log()).toContain('leader election lost: exiting');
    } finally {
      await plane().startApiserver();
    }
  }, 120_000);
});
