/**
 * The lifecycle rehearsal end to end on one plane, inside the network namespace: create, converge,
 * the update table (plus one deployment whose charts drop objects), destroy and the leftovers;
 * then deliberately broken manifests. Slow (minutes): it is every step `cdk deploy` would run.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { buildGraph } from '../../../tools/rehearsal/graph';
import { Intrinsics } from '../../../tools/rehearsal/intrinsics';
import { rehearse } from '../../../tools/rehearsal/rehearsal';
import type { Phase, RehearsalReport, StepRecord } from '../../../tools/rehearsal/report';
import { CfnTemplate, synthTemplate } from '../../../tools/rehearsal/template';
import {
  applyChange,
  ConfigChange,
  UPDATE_TABLE,
  UPDATE_TABLE_START,
} from '../../../tools/rehearsal/update-table';
import { DEFAULT_KUBERNETES_MINOR } from '../../../config/kubernetes-minors';
import { IMAGE_LABEL } from '../../../tools/rehearsal/standins/node-group';
import {
  failedChecks,
  phase,
  REHEARSAL_TIMEOUT_MS,
  SUITE_NODE_GROUP_TIMINGS,
} from './rehearsal-report';
import { withTestPlane } from '../../helpers/with-test-plane';
import { getJson } from '../../../tools/testplane/lib/kubectl';
import {
  dropObjects,
  DROPPED,
  manifestTemplate,
  withExtraObjects,
  withStoredNetwork,
} from './rehearsal-fixtures';
import { objectUids } from '../../../tools/rehearsal/cluster-objects';

const KUBECTL_TYPES = /^Custom::AWSCDK-EKS-/;
/** Not a config change: a deployment whose charts no longer have some objects. */
const DROP: ConfigChange = { label: 'charts drop objects', set: { 'rehearsal:drop': 'yes' } };

/**
 * The suite's stack: the synthesised template with a BitcoinNetwork that has persistent storage
 * (which config cannot ask for) and objects of the kinds only the controller's own grants have,
 * for the drop deployment to drop; or, for that deployment, the same without what it drops.
 */
function stackTemplate(context: Readonly<Record<string, string>>): CfnTemplate {
  const { 'rehearsal:drop': drop, ...config } = context;
  const full = withExtraObjects(withStoredNetwork(synthTemplate(config)));
  return drop ? dropObjects(full) : full;
}

// The checks name objects `group/Kind namespace/name`; the charts `Kind namespace/name`.
const withoutGroup = (key: string) => key.replace(/^\S*\//, '');

/** Whether the drop deployment drops it: by name, or as part of a namespace it drops. */
const dropped = (key: string) =>
  DROPPED.includes(withoutGroup(key)) ||
  DROPPED.includes(`Namespace ${withoutGroup(key).split(' ')[1]?.split('/')[0]}`);

interface PersistentVolume {
  metadata: { name: string };
  spec: { claimRef?: { namespace: string; name: string } };
}

/** The uids once none of `keys` is left (objects wait for finalizers), or after a minute. */
async function objectUidsOnceGone(
  kubeconfig: string,
  keys: readonly string[],
): Promise<Map<string, string>> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const uids = await objectUids(kubeconfig);
    const left = [...uids.keys()].filter((key) => keys.includes(withoutGroup(key)));
    if (left.length === 0 || Date.now() > deadline) return uids;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

const kubernetesSteps = (p: Phase): StepRecord[] =>
  p.steps.filter((s) => KUBECTL_TYPES.test(s.resourceType));

withTestPlane('the lifecycle rehearsal', (plane) => {
  let workDir: string;
  beforeAll(() => (workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-test-'))));
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  describe('the stack from cdk.json, created one minor behind the default', () => {
    let report: RehearsalReport;
    let uidsBeforeDrop: Map<string, string>;
    let uidsAfterDrop: Map<string, string>;
    /** The volumes of the claims the drop deployment drops: they go with them. */
    let volumesOfDropped: string[];
    let template: CfnTemplate;
    beforeAll(async () => {
      template = stackTemplate(UPDATE_TABLE_START);
      report = await rehearse({
        context: UPDATE_TABLE_START,
        nodeGroupTimings: SUITE_NODE_GROUP_TIMINGS,
        workDir: path.join(workDir, 'stack'),
        updates: [...UPDATE_TABLE, DROP],
        template: stackTemplate,
        aroundUpdate: async (change, kubeconfig) => {
          if (change !== DROP) return async () => [];
          uidsBeforeDrop = await objectUids(kubeconfig);
          const volumes = await getJson<{ items: PersistentVolume[] }>(kubeconfig, ['pv']);
          volumesOfDropped = volumes.items
            .filter((v) =>
              dropped(
                `PersistentVolumeClaim ${v.spec.claimRef?.namespace}/${v.spec.claimRef?.name}`,
              ),
            )
            .map((v) => `PersistentVolume ${v.metadata.name}`);
          return async () => {
            // A dropped Ingress waits for the Load Balancer Controller's finalizer.
            uidsAfterDrop = await objectUidsOnceGone(kubeconfig, DROPPED);
            return [];
          };
        },
        plane: plane(),
        log: () => undefined,
      });
    }, REHEARSAL_TIMEOUT_MS);

    test('create fails nowhere (else the first failure, in its own words, is shown here)', () => {
      const failed = phase(report, 'create').steps.filter((s) => s.outcome === 'failed');
      expect(failed.map((s) => `${s.logicalId}: ${s.error}`)).toEqual([]);
    });

    test('create runs every Custom::AWSCDK-EKS-* resource of the template through the handler, each succeeding', () => {
      const expected = Object.entries(template.Resources)
        .filter(([, r]) => KUBECTL_TYPES.test(r.Type))
        .map(([id]) => id)
        .sort();
      const created = kubernetesSteps(phase(report, 'create'));
      expect(created.map((s) => `${s.logicalId} ${s.event} ${s.outcome}`).sort()).toEqual(
        expected.map((id) => `${id} Create succeeded`),
      );
    });

    test('each resource started only after everything it depends on had finished', () => {
      const graph = buildGraph(template.Resources);
      const started = phase(report, 'create').steps.filter((s) => s.outcome !== 'not started');
      const steps = new Map(started.map((s) => [s.logicalId, s]));
      for (const [id, step] of steps) {
        for (const dep of graph.dependenciesOf(id)) {
          const before = steps.get(dep)!;
          expect({
            id,
            dep,
            startedAfterDepEnded: step.startedAt >= before.startedAt + before.seconds * 1000 - 1,
          }).toEqual({ id, dep, startedAfterDepEnded: true });
        }
      }
    });

    test('the cluster converges: every Deployment Available and the sample network Ready with its mesh complete', () => {
      expect(phase(report, 'converge').checks).toEqual([
        { name: 'every Deployment Available', ok: true },
        { name: 'every BitcoinNetwork Ready with its mesh complete', ok: true },
      ]);
    });

    test.each(UPDATE_TABLE.map((change) => [change.label, change]))(
      'update %s: only resources whose properties changed get an Update, and the cluster is exactly the new template',
      (label) => {
        const p = phase(report, `update: ${label}`);
        const updated = p.steps.filter((s) => s.outcome !== 'unchanged' && s.kubernetes);
        expect(updated.every((s) => s.event === 'Update' && s.outcome === 'succeeded')).toBe(true);
        expect(p.steps.filter((s) => s.outcome === 'unchanged').length).toBeGreaterThan(0);
        expect(failedChecks(p)).toEqual([]);
      },
    );

    /** The events the handler got, in the order it got them, from its work folders. */
    const handlerEvents = (pattern: RegExp) => {
      const dir = path.join(workDir, 'stack', 'handler');
      return fs
        .readdirSync(dir)
        .filter((name) => pattern.test(name))
        .sort()
        .map((name) => JSON.parse(fs.readFileSync(path.join(dir, name, 'event.json'), 'utf8')));
    };

    test("HelmChart events are the template's properties with only Repository pointing at the rehearsal's repository", () => {
      const intrinsics = new Intrinsics(template);
      const events = handlerEvents(/-Create-.*(AlbController8|ClusterAutoscaler)/);
      expect(events).toHaveLength(2);
      for (const event of events) {
        const resolved = intrinsics.resolve(
          template.Resources[event.LogicalResourceId].Properties,
          'test',
        ) as Record<string, unknown>;
        expect(resolved.Repository).toMatch(/^https:\/\/(aws|kubernetes)\.github\.io\//);
        const asStrings = JSON.parse(
          JSON.stringify(resolved, (_k, v) =>
            typeof v === 'boolean' || typeof v === 'number' ? String(v) : v,
          ),
        );
        expect(event.ResourceProperties).toEqual({
          ...asStrings,
          Repository: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/),
        });
      }
    });

    test('an Update event carries the properties before as OldResourceProperties', () => {
      const [first] = handlerEvents(/-Update-EksClusterchartworkloads/);
      expect(first.PhysicalResourceId).toEqual(expect.any(String));
      expect(first.OldResourceProperties.Manifest).toContain('"replicas":2');
      expect(first.ResourceProperties.Manifest).toContain('"replicas":3');
    });

    test('a setting that changes a manifest updates that manifest only', () => {
      const updated = (label: string) =>
        phase(report, `update: ${label}`)
          .steps.filter((s) => s.outcome === 'succeeded' && s.kubernetes)
          .map((s) => s.logicalId);
      expect(updated('webReplicas 2 -> 3')).toEqual([
        expect.stringMatching(/^EksClusterchartworkloads/),
      ]);
      expect(updated('sampleNetworkNodes 3 -> 5')).toEqual([
        expect.stringMatching(/^ChartsbitcoinsampleBitcoinNetworkbitcoinmynetwork/),
      ]);
      expect(updated('adminPrincipalArns changed')).toEqual([]);
    });

    const upgrade = UPDATE_TABLE[0];

    test('the table starts one minor behind the default, and its first change is the upgrade', () => {
      expect(DEFAULT_KUBERNETES_MINOR).toBe('1.36');
      expect(UPDATE_TABLE_START).toEqual({ kubernetesVersion: '1.35' });
      expect(upgrade).toEqual({
        label: 'kubernetesVersion 1.35 -> 1.36',
        set: { kubernetesVersion: '1.36' },
      });
    });

    test("the upgrade's events run the 1.36 layer's kubectl and helm, every event before it the 1.35 layer's", async () => {
      const dir = path.join(workDir, 'stack', 'handler');
      const calls = fs
        .readdirSync(dir)
        .sort()
        .map((name) => ({
          name,
          minor: JSON.parse(fs.readFileSync(path.join(dir, name, 'kubectl-layer.json'), 'utf8'))
            .minor,
        }));
      const upgraded = kubernetesSteps(phase(report, `update: ${upgrade.label}`)).filter(
        (s) => s.outcome === 'succeeded',
      );
      expect(upgraded.length).toBeGreaterThan(0);
      const firstUpdate = calls.findIndex((c) => /^\d+-Update-/.test(c.name));
      expect(calls.slice(firstUpdate, firstUpdate + upgraded.length).map((c) => c.name)).toEqual(
        expect.arrayContaining(upgraded.map((s) => expect.stringContaining(s.logicalId))),
      );
      expect(new Set(calls.slice(0, firstUpdate).map((c) => c.minor))).toEqual(new Set(['1.35']));
      expect(new Set(calls.slice(firstUpdate).map((c) => c.minor))).toEqual(new Set(['1.36']));
      // And the 1.36 layer's kubectl is a 1.36 kubectl.
      const layer = JSON.parse(
        fs.readFileSync(path.join(dir, calls[firstUpdate].name, 'kubectl-layer.json'), 'utf8'),
      );
      const { stdout } = await promisify(execFile)(layer.kubectl, [
        'version',
        '--client',
        '-o',
        'json',
      ]);
      expect(JSON.parse(stdout).clientVersion).toMatchObject({ major: '1', minor: '36' });
    });

    test('the upgrade moves every add-on to the new minor default, after the nodes all but the CNI and the Pod Identity agent, CoreDNS and kube-proxy included', async () => {
      const steps = phase(report, `update: ${upgrade.label}`).steps;
      const addons = steps.filter((s) => s.resourceType === 'AWS::EKS::Addon');
      const [nodes] = steps.filter((s) => s.resourceType === 'AWS::EKS::Nodegroup');
      expect(addons.map((s) => `${s.event} ${s.outcome}`)).toEqual(
        Array(6).fill('Update succeeded'),
      );
      expect(nodes).toMatchObject({ event: 'Update', outcome: 'succeeded' });
      // Those that depend on the node group wait for its roll: all but the Pod Identity agent and
      // the VPC CNI, which the new nodes need.
      const graph = buildGraph(template.Resources);
      const afterNodes = addons.filter((a) =>
        graph.dependenciesOf(a.logicalId).includes(nodes.logicalId),
      );
      expect(afterNodes).toHaveLength(4);
      for (const addon of afterNodes)
        expect(addon.startedAt).toBeGreaterThanOrEqual(nodes.startedAt + nodes.seconds * 1000 - 1);
      // Both are preserved on delete, so destroy leaves them as the last deployment made them.
      const image = async (kind: string, name: string) =>
        (
          await getJson<{ spec: { template: { spec: { containers: { image: string }[] } } } }>(
            plane().kubeconfig,
            [kind, name, '-n', 'kube-system'],
          )
        ).spec.template.spec.containers[0].image.split(':')[1];
      expect(await image('deployment', 'coredns')).toBe('default-for-1.36');
      expect(await image('daemonset', 'kube-proxy')).toBe('default-for-1.36');
    });

    test('the upgrade rolls the node group as EKS does, and the rotation breaks no budget and loses no volume', async () => {
      const rotation = report.phases.find((p) => p.name.startsWith(`rotation: ${upgrade.label} (`));
      expect(rotation?.checks.map((c) => [c.name, c.ok])).toEqual([
        ['no PodDisruptionBudget exceeded at any sampled moment', true],
        ['every drain ended', true],
        ['every bitcoind pod back on its own claim and volume', true],
      ]);
      // The stored network's two pods were there to lose their volumes.
      expect(rotation!.checks[2].detail).toBe('2 pods');
      const actions = rotation!.steps.map((s) => s.resourceType);
      // Two zones: four new nodes first; the plane's three old ones drained; one scaled down.
      expect(actions.filter((a) => a === 'launch')).toHaveLength(4);
      expect(actions.filter((a) => a === 'drain')).toHaveLength(4);
      expect(actions.filter((a) => a === 'terminate')).toHaveLength(4);
      const nodes = await getJson<{ items: { metadata: { labels: Record<string, string> } }[] }>(
        plane().kubeconfig,
        ['nodes'],
      );
      expect(nodes.items.map((n) => n.metadata.labels[IMAGE_LABEL].split('-')[0])).toEqual([
        '1.36',
        '1.36',
        '1.36',
      ]);
      // No other change of the table rolls the nodes.
      expect(report.phases.filter((p) => p.name.startsWith('rotation: '))).toHaveLength(1);
    });

    describe('a deployment whose charts drop an object of every kind', () => {
      test('succeeds, and the manifests match the cluster', () => {
        const p = phase(report, `update: ${DROP.label}`);
        expect(p.steps.filter((s) => s.outcome === 'failed')).toEqual([]);
        expect(failedChecks(p)).toEqual([]);
      });

      test('removes each dropped object, whatever its kind', () => {
        const before = [...uidsBeforeDrop.keys()].map(withoutGroup);
        for (const key of DROPPED) expect(before).toContain(key);
        const after = new Set([...uidsAfterDrop.keys()].map(withoutGroup));
        expect(DROPPED.filter((key) => after.has(key))).toEqual([]);
      });

      test('recreates nothing it kept: every other object has the uid it had', () => {
        const changed = [...uidsBeforeDrop]
          .filter(([key]) => !dropped(key) && !volumesOfDropped.includes(key))
          .filter(([key, uid]) => uidsAfterDrop.get(key) !== uid)
          .map(([key]) => `${key}: ${uidsAfterDrop.has(key) ? 'recreated' : 'gone'}`);
        expect(changed).toEqual([]);
      });
    });

    test('when the Load Balancer Controller, the EBS CSI driver and the bitcoin controller go, nothing they clean up is left', () => {
      const duties = phase(report, 'destroy').checks.filter((c) => c.name.startsWith('nothing '));
      expect(duties.map((c) => [c.name.replace(/ when .*/, ''), c.ok, c.detail])).toEqual([
        ['nothing the bitcoin controller cleans up is left', true, undefined],
        ['nothing the EBS CSI driver cleans up is left', true, undefined],
        ['nothing the AWS Load Balancer Controller cleans up is left', true, undefined],
      ]);
    });

    test('destroy deletes every resource in reverse order and each Delete removed its objects', () => {
      const p = phase(report, 'destroy');
      // Destroy deletes the stack the last update left, with its config.
      const last = stackTemplate(
        [...UPDATE_TABLE, DROP].reduce(applyChange, UPDATE_TABLE_START),
      ).Resources;
      const retained = Object.keys(last).filter((id) => last[id].DeletionPolicy === 'Retain');
      expect(retained.length).toBeGreaterThan(0);
      expect(
        p.steps
          .filter((s) => s.outcome === 'retained')
          .map((s) => s.logicalId)
          .sort(),
      ).toEqual(retained.sort());
      expect(p.steps.filter((s) => !['succeeded', 'retained'].includes(s.outcome))).toEqual([]);
      expect(failedChecks(p)).toEqual([]);
      const graph = buildGraph(last);
      const steps = new Map(p.steps.map((s) => [s.logicalId, s]));
      for (const [id, step] of steps) {
        for (const dependant of graph.dependantsOf(id)) {
          const before = steps.get(dependant)!;
          expect(step.startedAt).toBeGreaterThanOrEqual(
            before.startedAt + before.seconds * 1000 - 1,
          );
        }
      }
    });

    test('after destroy nothing outlives the cluster; only the CRDs went with it', () => {
      expect(report.leftovers).toEqual([]);
      expect(report.wentWithCluster).toEqual([
        // Retained on purpose: deleting it deletes every BitcoinNetwork (docs/operator.md).
        'apiextensions.k8s.io/CustomResourceDefinition bitcoinnetworks.bitcoin.eksplatform.dev',
        // helm uninstall keeps the CRDs a chart ships in crds/.
        'apiextensions.k8s.io/CustomResourceDefinition ingressclassparams.elbv2.k8s.aws',
      ]);
    });
  });

  describe('broken manifests', () => {
    const broken = (name: string, manifest: object[]) =>
      rehearse({
        context: {},
        workDir: path.join(workDir, name),
        updates: [],
        template: () => manifestTemplate(manifest),
        plane: plane(),
        log: () => undefined,
      });

    test(
      "an unknown field fails the Create with kubectl's own error, and destroy leaves nothing half-applied",
      async () => {
        const report = await broken('unknown-field', [
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'broken-demo' } },
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'applied-first', namespace: 'broken-demo' },
          },
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'bad', namespace: 'broken-demo' },
            datta: { a: 'b' },
          },
        ]);
        const [step] = kubernetesSteps(phase(report, 'create'));
        expect(step).toMatchObject({
          outcome: 'failed',
          error: expect.stringMatching(/unknown field "datta"/),
        });
        expect(failedChecks(phase(report, 'destroy'))).toEqual([]);
        expect(report.leftovers).toEqual([]);
      },
      REHEARSAL_TIMEOUT_MS,
    );

    test(
      "a custom resource before its CRD fails the Create with kubectl's own error, and destroy leaves nothing",
      async () => {
        const report = await broken('cr-before-crd', [
          {
            apiVersion: 'example.com/v1',
            kind: 'Widget',
            metadata: { name: 'w', namespace: 'default' },
          },
          widgetCrd,
        ]);
        const [step] = kubernetesSteps(phase(report, 'create'));
        expect(step).toMatchObject({
          outcome: 'failed',
          error: expect.stringMatching(/no matches for kind "Widget" in version "example.com\/v1"/),
        });
        expect(failedChecks(phase(report, 'destroy'))).toEqual([]);
        expect(report.leftovers).toEqual([]);
      },
      REHEARSAL_TIMEOUT_MS,
    );
  });
});

const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    names: { kind: 'Widget', plural: 'widgets', singular: 'widget' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        },
      },
    ],
  },
};
