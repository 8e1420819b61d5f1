/**
 * A managed node group's rolling update replayed on the plane's kwok nodes, watched as the
 * rehearsal watches it, with a Deployment and a StatefulSet on claims behind their budgets:
 * a good rotation, a drain that ignores budgets (the sampler must catch it), a budget that
 * refuses forever with force off (the update fails) and the retry with force on.
 */
import { AdminApi } from '../../../tools/testplane/lib/admin-api';
import { kubectl, getJson } from '../../../tools/testplane/lib/kubectl';
import { eventually } from '../../../tools/testplane/lib/eventually';
import { deploymentsAvailable } from '../../../tools/rehearsal/converge';
import { NodeGroupUpdates } from '../../../tools/rehearsal/node-group-updates';
import type { Phase, StepRecord } from '../../../tools/rehearsal/report';
import { criticalPath } from '../../../tools/rehearsal/report';
import {
  IMAGE_LABEL,
  NODEGROUP_LABEL,
  ZONE_LABEL,
} from '../../../tools/rehearsal/standins/node-group';
import type { DrainOutcome } from '../../../tools/rehearsal/standins/node-drain';
import { withTestPlane } from '../../helpers/with-test-plane';

const NS = 'rotation';
const GROUP = 'Nodegroup';
const TEST_TIMEOUT_MS = 240_000;
/** Short enough for a test, long enough for a budget that allows one pod at a time. */
const TIMINGS = { evictionBoundMs: 30_000, settleMs: 200, retryMs: 300 };

const properties = (version: string, extra: Record<string, unknown> = {}) => ({
  Subnets: ['subnet-a', 'subnet-b'],
  Version: version,
  UpdateConfig: { MaxUnavailable: 1 },
  ForceUpdateEnabled: false,
  ...extra,
});

interface NodeList {
  items: {
    metadata: { name: string; labels: Record<string, string> };
    spec: { unschedulable?: boolean };
  }[];
}
interface PodList {
  items: {
    metadata: {
      name: string;
      namespace: string;
      labels?: Record<string, string>;
      deletionTimestamp?: string;
    };
    spec: { nodeName?: string };
    status?: { conditions?: { type: string; status: string }[] };
  }[];
}

const labels = { app: 'web' };
const chainLabels = { app: 'chain', 'app.kubernetes.io/managed-by': 'bitcoin-controller' };
const container = { name: 'main', image: 'registry.k8s.io/pause:3.10' };
const workloads = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: NS },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [container] } },
    },
  },
  {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'web', namespace: NS },
    spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'chain', namespace: NS },
    spec: {
      replicas: 3,
      serviceName: 'chain',
      selector: { matchLabels: chainLabels },
      template: { metadata: { labels: chainLabels }, spec: { containers: [container] } },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: '',
            resources: { requests: { storage: '1Gi' } },
          },
        },
      ],
    },
  },
  {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'chain', namespace: NS },
    spec: { maxUnavailable: 1, selector: { matchLabels: chainLabels } },
  },
  // One volume per claim the StatefulSet will make, bound to it by name.
  ...[0, 1, 2].map((i) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: `chain-${i}` },
    spec: {
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      storageClassName: '',
      claimRef: { namespace: NS, name: `data-chain-${i}` },
      csi: { driver: 'ebs.csi.aws.com', volumeHandle: `vol-0000000000000000${i}` },
    },
  })),
];

/** A budget that allows no disruption: the thing item 4 forbids in the product. */
const stuck = [
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'stuck', namespace: NS },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'stuck' } },
      template: { metadata: { labels: { app: 'stuck' } }, spec: { containers: [container] } },
    },
  },
  {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'stuck', namespace: NS },
    spec: { minAvailable: 1, selector: { matchLabels: { app: 'stuck' } } },
  },
];

/** What a careless script does: delete every pod on the node at once, no Eviction API. */
async function deleteEverything(api: AdminApi, node: string): Promise<DrainOutcome> {
  const started = Date.now();
  const pods = await api.get<PodList>(
    `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`,
  );
  await Promise.all(
    pods.items.map((p) =>
      api.send('DELETE', `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`),
    ),
  );
  return {
    node,
    seconds: (Date.now() - started) / 1000,
    evicted: 0,
    refusals: 0,
    forced: pods.items.map((p) => p.metadata.name),
  };
}

const checksOf = (phase: Phase) => Object.fromEntries(phase.checks.map((c) => [c.name, c]));
const overlapping = (steps: readonly StepRecord[]) =>
  Math.max(
    ...steps.map(
      (s) =>
        steps.filter(
          (o) => o.startedAt <= s.startedAt && s.startedAt < o.startedAt + o.seconds * 1000,
        ).length,
    ),
  );

withTestPlane('a managed node group rolling update on kwok nodes', (plane) => {
  let api: AdminApi;
  let updates: NodeGroupUpdates;
  const kubeconfig = () => plane().kubeconfig;
  const nodes = async () => (await getJson<NodeList>(kubeconfig(), ['nodes'])).items;
  const converged = async () => {
    const check = await deploymentsAvailable(kubeconfig(), 60_000);
    expect(check).toEqual({ name: 'every Deployment Available', ok: true });
    await eventually(async () => {
      const sts = await getJson<{ status: { readyReplicas?: number } }>(kubeconfig(), [
        'statefulset',
        'chain',
        '-n',
        NS,
      ]);
      expect(sts.status.readyReplicas).toBe(3);
    }, 60_000);
    // The workloads' status can lag their pods on a busy machine (a clean clone's CI once started
    // the next rotation with every chain pod still coming back): count the Ready pods themselves,
    // as the disruption sampler does.
    await eventually(async () => {
      const { items } = await getJson<PodList>(kubeconfig(), ['pods', '-n', NS]);
      const ready = (app: string) =>
        items.filter(
          (p) =>
            p.metadata.labels?.app === app &&
            !p.metadata.deletionTimestamp &&
            p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        ).length;
      expect({ web: ready('web'), chain: ready('chain') }).toEqual({ web: 2, chain: 3 });
    }, 60_000);
  };

  beforeAll(async () => {
    api = new AdminApi(plane().kubeconfig);
    updates = new NodeGroupUpdates(api, kubeconfig(), plane().podCidr, TIMINGS);
    await updates.create(GROUP, properties('1.35'));
    await kubectl(
      kubeconfig(),
      ['apply', '-f', '-'],
      JSON.stringify({ kind: 'List', apiVersion: 'v1', items: workloads }),
    );
    await converged();
  }, TEST_TIMEOUT_MS);

  test('create adopts the plane nodes into the group, spread over its zones', async () => {
    const adopted = await nodes();
    expect(adopted.map((n) => n.metadata.labels[NODEGROUP_LABEL])).toEqual([GROUP, GROUP, GROUP]);
    expect(new Set(adopted.map((n) => n.metadata.labels[ZONE_LABEL]))).toEqual(
      new Set(['us-east-1a', 'us-east-1b']),
    );
  });

  describe('1.35 -> 1.36, two nodes at a time', () => {
    let phase: Phase;
    let result: { kubernetes: boolean; error?: string };
    const before = new Map<string, string>();
    beforeAll(async () => {
      for (const n of await nodes()) before.set(n.metadata.name, n.metadata.labels[IMAGE_LABEL]);
      result = await updates.update(
        GROUP,
        properties('1.36', { UpdateConfig: { MaxUnavailable: 2 } }),
        properties('1.35'),
      );
      await converged();
      [phase] = await updates.phases('1.35 -> 1.36');
    }, TEST_TIMEOUT_MS);

    test('succeeds, and the group is its old size, all on the new image, none of the old nodes', async () => {
      expect(result).toEqual({ kubernetes: true });
      const after = await nodes();
      expect(after).toHaveLength(3);
      for (const n of after) {
        expect(before.has(n.metadata.name)).toBe(false);
        expect(n.metadata.labels[IMAGE_LABEL]).toMatch(/^1\.36-/);
        expect(n.spec.unschedulable).toBeUndefined();
      }
    });

    test('launches twice the zones first, cordons every old node, and drains only after that', () => {
      const of = (action: string) => phase.steps.filter((s) => s.resourceType === action);
      const launches = of('launch');
      const [cordon] = of('cordon');
      expect(launches).toHaveLength(4);
      expect(cordon.logicalId).toBe('cordon old nodes');
      const cordonStart = cordon.startedAt;
      for (const l of launches)
        expect(l.startedAt + l.seconds * 1000).toBeLessThanOrEqual(cordonStart + 1);
      for (const d of of('drain'))
        expect(d.startedAt).toBeGreaterThanOrEqual(cordonStart + cordon.seconds * 1000 - 1);
    });

    test('drains the three old nodes two at a time (never more), then scales one new node down', () => {
      const drains = phase.steps.filter((s) => s.resourceType === 'drain');
      const oldDrains = drains.filter((d) => before.has(d.logicalId.replace('drain ', '')));
      expect(oldDrains).toHaveLength(3);
      expect(overlapping(oldDrains)).toBe(2);
      expect(phase.steps.filter((s) => s.logicalId.startsWith('scale down '))).toHaveLength(1);
      expect(drains).toHaveLength(4);
    });

    test('no budget exceeded, every drain ended, every StatefulSet pod back on its claim and volume', () => {
      const checks = checksOf(phase);
      // The sampler saw both budgets at their limit, not an idle cluster.
      const sampled = checks['no PodDisruptionBudget exceeded at any sampled moment'];
      expect(sampled.ok).toBe(true);
      expect(sampled.detail).toContain('rotation/web at most 1 of 2 down (allows 1)');
      expect(sampled.detail).toContain('rotation/chain at most 1 of 3 down (allows 1)');
      expect(checks['every drain ended']).toMatchObject({ ok: true });
      expect(checks['every bitcoind pod back on its own claim and volume']).toEqual({
        name: 'every bitcoind pod back on its own claim and volume',
        ok: true,
        detail: '3 pods',
      });
    });

    test('the critical path runs from a launch through the cordon to a termination', () => {
      const path = criticalPath(phase);
      expect(path.chain[0]).toMatch(/^launch /);
      expect(path.chain).toContain('cordon old nodes');
      expect(path.chain[path.chain.length - 1]).toMatch(/^terminate /);
      expect(phase.name).toMatch(/^rotation: 1\.35 -> 1\.36 \(\d+\.\d s\)$/);
    });
  });

  test(
    'a drain that deletes pods instead of evicting them is caught by the sampler',
    async () => {
      const careless = new NodeGroupUpdates(api, kubeconfig(), plane().podCidr, TIMINGS);
      const result = await careless.update(
        GROUP,
        properties('1.37', { UpdateConfig: { MaxUnavailable: 3 } }),
        properties('1.36'),
        { drain: deleteEverything },
      );
      expect(result).toEqual({ kubernetes: true });
      await converged();
      const [phase] = await careless.phases('careless');
      const sampled = checksOf(phase)['no PodDisruptionBudget exceeded at any sampled moment'];
      expect(sampled.ok).toBe(false);
      expect(sampled.detail).toMatch(
        /first: rotation\/(web|chain) had [2-3] of [2-3] unavailable, allows 1/,
      );
    },
    TEST_TIMEOUT_MS,
  );

  describe('a budget that never allows an eviction', () => {
    const strict = () =>
      new NodeGroupUpdates(api, kubeconfig(), plane().podCidr, {
        ...TIMINGS,
        evictionBoundMs: 10_000,
      });
    let stuckNode: string;
    beforeAll(async () => {
      await kubectl(
        kubeconfig(),
        ['apply', '-f', '-'],
        JSON.stringify({ kind: 'List', apiVersion: 'v1', items: stuck }),
      );
      await converged();
      const pods = await getJson<PodList>(kubeconfig(), ['pods', '-n', NS, '-l', 'app=stuck']);
      stuckNode = pods.items[0].spec.nodeName!;
    }, TEST_TIMEOUT_MS);

    test(
      'with force off, fails the update with PodEvictionFailure after the bound and leaves the pod and its node',
      async () => {
        const off = strict();
        const started = Date.now();
        const result = await off.update(GROUP, properties('1.38'), properties('1.37'));
        expect(result.error).toMatch(
          /^PodEvictionFailure: rotation\/stuck-[a-z0-9-]+ was still refused after 10s and force is off: Cannot evict pod as it would violate the pod's disruption budget/,
        );
        expect(Date.now() - started).toBeLessThan(60_000);
        const pods = await getJson<PodList>(kubeconfig(), ['pods', '-n', NS, '-l', 'app=stuck']);
        expect(pods.items.map((p) => p.spec.nodeName)).toEqual([stuckNode]);
        const node = (await nodes()).find((n) => n.metadata.name === stuckNode);
        expect(node?.spec.unschedulable).toBe(true);
        const [phase] = await off.phases('force off');
        // The whole check on failure: its detail names the budget and the sampled moment.
        const sampled = checksOf(phase)['no PodDisruptionBudget exceeded at any sampled moment'];
        expect(sampled).toEqual(expect.objectContaining({ ok: true }));
      },
      TEST_TIMEOUT_MS,
    );

    test(
      'with force on, deletes the pod past its budget, finishes, and the sampler shows that budget exceeded',
      async () => {
        const on = strict();
        const result = await on.update(
          GROUP,
          properties('1.38', { ForceUpdateEnabled: true }),
          properties('1.37'),
        );
        expect(result).toEqual({ kubernetes: true });
        await converged();
        const [phase] = await on.phases('force on');
        const stuckDrain = phase.steps.find((s) => s.logicalId === `drain ${stuckNode}`);
        expect(stuckDrain?.outcome).toBe('succeeded');
        expect(checksOf(phase)['every drain ended'].detail).toMatch(
          new RegExp(`${stuckNode} [\\d.]+s, 0 evicted, \\d+ refused, 1 deleted by force`),
        );
        const sampled = checksOf(phase)['no PodDisruptionBudget exceeded at any sampled moment'];
        expect(sampled).toMatchObject({ ok: false });
        expect(sampled.detail).toContain('first: rotation/stuck had 1 of 1 unavailable, allows 0');
        for (const n of await nodes()) expect(n.metadata.labels[IMAGE_LABEL]).toMatch(/^1\.38-/);
      },
      TEST_TIMEOUT_MS,
    );
  });
});
