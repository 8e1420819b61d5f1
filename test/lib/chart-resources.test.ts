import { App, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Chart, App as Cdk8sApp, ApiObject } from 'cdk8s';
import { ChartResources, INVENTORY_NAMESPACE, inventoryName } from '../../lib/chart-resources';
import { KUBECTL_PRUNE_KINDS } from '../../lib/kubectl-prune-kinds';
import { isOrderedAfter } from '../helpers/graph';
import { platformTemplate, Resources } from '../helpers/template';

const { resources } = platformTemplate();
const MANIFEST = 'Custom::AWSCDK-EKS-KubernetesResource';

interface Applied {
  readonly id: string;
  readonly objects: { kind: string; metadata: { name: string; namespace?: string }; data?: any }[];
  readonly properties: Record<string, unknown>;
  readonly deletionPolicy?: string;
}

/** A manifest's JSON, with any reference (the controller image's ECR URI) as a placeholder. */
const manifestText = (manifest: string | { 'Fn::Join': [string, unknown[]] }): string =>
  typeof manifest === 'string'
    ? manifest
    : manifest['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'REF')).join('');

/** Every kubectl manifest of the template, with its objects parsed. */
const manifests: Applied[] = Object.entries(resources as Resources & Record<string, any>)
  .filter(([, r]) => r.Type === MANIFEST)
  .map(([id, r]) => ({
    id,
    objects: JSON.parse(manifestText(r.Properties.Manifest)),
    properties: r.Properties,
    deletionPolicy: r.DeletionPolicy,
  }));
const chartManifest = (chart: string): Applied =>
  manifests.find((m) => m.id.startsWith(`EksClusterchart${chart.replace('-', '')}`))!;
/** The one manifest that applies the object, and only it. */
const ownManifest = (kind: string, name: string): Applied => {
  const found = manifests.filter(
    (m) =>
      m.objects.length === 1 && m.objects[0].kind === kind && m.objects[0].metadata.name === name,
  );
  expect(found).toHaveLength(1);
  return found[0];
};

describe('each chart as its manifest plus one manifest per object kubectl does not prune', () => {
  test("a chart's manifest holds kubectl's prune kinds and its inventory, nothing else", () => {
    for (const chart of ['namespaces', 'workloads', 'bitcoin-operator', 'bitcoin-crd']) {
      const kinds = chartManifest(chart).objects.map((o) => o.kind);
      expect(kinds.filter((k) => !KUBECTL_PRUNE_KINDS.has(k))).toEqual([]);
      expect(kinds).toContain('ConfigMap');
      // Created with apply: its namespaces were applied ahead of it.
      expect(chartManifest(chart).properties.Overwrite).toBe(true);
    }
    expect(chartManifest('workloads').objects.map((o) => o.kind)).toEqual(
      expect.arrayContaining(['Deployment', 'Service']),
    );
  });

  test.each([
    ['NetworkPolicy', 'allow-httpd-http'],
    ['StorageClass', 'gp3'],
    ['PodDisruptionBudget', 'httpd'],
    ['HorizontalPodAutoscaler', 'httpd'],
    ['ServiceAccount', 'bitcoin-controller'],
    ['ClusterRole', 'bitcoin-controller'],
    ['ValidatingAdmissionPolicy', 'bitcoin-controller-namespaces'],
    ['CustomResourceDefinition', 'bitcoinnetworks.bitcoin.eksplatform.dev'],
    ['BitcoinNetwork', 'my-network'],
  ])(
    'a %s (%s) has a manifest of its own, created with apply, without a prune label',
    (kind, name) => {
      const own = ownManifest(kind, name);
      expect(own.properties.Overwrite).toBe(true);
      expect(own.properties.PruneLabel).toBeUndefined();
    },
  );

  test('the inventory names every object of the chart, each applied by exactly one manifest', () => {
    const inventories = chartManifest('workloads').objects.filter(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === inventoryName('workloads'),
    );
    const listed: string[] = inventories[0].data.objects.split('\n');
    expect(listed).toEqual(
      expect.arrayContaining(['Deployment web/httpd', 'NetworkPolicy web/allow-httpd-http']),
    );
    const applied = manifests
      .flatMap((m) => m.objects)
      .map(
        (o) =>
          `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`,
      );
    for (const key of listed) expect(applied.filter((a) => a === key)).toHaveLength(1);
  });

  test('a chart has its inventory in every namespace it or a chart before it creates, so prune visits each', () => {
    const namespacesOf = (chart: string) =>
      chartManifest(chart)
        .objects.filter((o) => o.metadata.name === inventoryName(chart))
        .map((o) => o.metadata.namespace)
        .sort();
    // The ingress chart's only object is in web: were it dropped, prune must still look there.
    expect(namespacesOf('ingress')).toEqual(['storage-demo', 'web']);
    expect(namespacesOf('namespaces')).toEqual(['storage-demo', 'web']);
    expect(namespacesOf('bitcoin-sample')).toEqual(['bitcoin', 'bitcoin-controller']);
    // No chart of its set before it creates one.
    expect(namespacesOf('bitcoin-crd')).toEqual([INVENTORY_NAMESPACE]);
  });

  test('NetworkPolicies, ServiceAccounts and RBAC come before the workloads they guard; custom resources after', () => {
    const workloads = chartManifest('workloads').id;
    const operator = chartManifest('bitcoin-operator').id;
    const sample = chartManifest('bitcoin-sample').id;
    expect(
      isOrderedAfter(resources, workloads, ownManifest('NetworkPolicy', 'allow-httpd-http').id),
    ).toBe(true);
    expect(
      isOrderedAfter(resources, operator, ownManifest('ServiceAccount', 'bitcoin-controller').id),
    ).toBe(true);
    expect(isOrderedAfter(resources, ownManifest('BitcoinNetwork', 'my-network').id, sample)).toBe(
      true,
    );
  });

  test("a chart's own namespace is applied first by a retained resource; the chart's manifest keeps owning it", () => {
    const first = ownManifest('Namespace', 'bitcoin-controller');
    expect(first.deletionPolicy).toBe('Retain');
    expect(chartManifest('bitcoin-operator').objects.map((o) => o.metadata.name)).toContain(
      'bitcoin-controller',
    );
    expect(
      isOrderedAfter(resources, ownManifest('ServiceAccount', 'bitcoin-controller').id, first.id),
    ).toBe(true);
  });

  test('a CRD is retained (deleting it deletes every custom resource of its kind); other objects are not', () => {
    expect(
      ownManifest('CustomResourceDefinition', 'bitcoinnetworks.bitcoin.eksplatform.dev')
        .deletionPolicy,
    ).toBe('Retain');
    expect(ownManifest('BitcoinNetwork', 'my-network').deletionPolicy).toBe('Delete');
    expect(ownManifest('NetworkPolicy', 'allow-httpd-http').deletionPolicy).toBe('Delete');
  });
});

describe('a chart the mechanism cannot carry fails synth, naming the object', () => {
  const cluster = () =>
    new eks.Cluster(new Stack(new App()), 'Cluster', {
      version: eks.KubernetesVersion.V1_35,
      defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
    });
  const chartWith = (...objects: Record<string, unknown>[]): Chart => {
    const chart = new Chart(new Cdk8sApp(), 'c');
    objects.forEach((o, i) => new ApiObject(chart, `o${i}`, o as never));
    return chart;
  };

  test('an object with only a generated name, as a template would render it', () => {
    const chart = chartWith();
    jest
      .spyOn(chart, 'toJson')
      .mockReturnValue([
        { apiVersion: 'batch/v1', kind: 'Job', metadata: { generateName: 'migrate-' } },
      ]);
    expect(
      () => new ChartResources(new Stack(), 'R', { cluster: cluster(), name: 'jobs', chart }),
    ).toThrow(
      'chart "jobs": object 0 (Job) has no metadata.name; every object needs a kind and a fixed name to be updated and deleted',
    );
  });

  test('an object of a prune kind in a namespace no chart so far creates', () => {
    const chart = chartWith({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'team-a' },
    });
    expect(
      () =>
        new ChartResources(new Stack(), 'R', {
          cluster: cluster(),
          name: 'stray',
          chart,
          namespacesBefore: ['web'],
        }),
    ).toThrow(
      'chart "stray": ConfigMap team-a/settings is in a namespace that neither it nor a chart before it creates (web); kubectl prunes only in namespaces the manifest still has objects in, so it could never be removed',
    );
  });

  test('two objects of the same kind, namespace and name', () => {
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'p', namespace: 'n' },
    };
    const chart = chartWith(policy, policy);
    expect(
      () => new ChartResources(new Stack(), 'R', { cluster: cluster(), name: 'twice', chart }),
    ).toThrow('chart "twice": NetworkPolicy n/p is rendered twice; names must be unique');
  });
});
