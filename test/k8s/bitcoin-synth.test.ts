import { loadConfig } from '../../config';
import { BITCOIN_NETWORK_CRD_NAME } from '../../k8s/bitcoin-crd-chart';
import { LOCAL_CONTROLLER_IMAGE, synthTarget } from '../../k8s/synth';

function config(context: Record<string, unknown> = {}) {
  return loadConfig((key) => context[key]);
}

function controllerImage(charts: ReturnType<typeof synthTarget>): unknown {
  const operator = charts.find((c) => c.name === 'bitcoin-operator');
  const deployment = operator?.objects.find((o) => o.kind === 'Deployment') as any;
  return deployment.spec.template.spec.containers[0].image;
}

describe.each(['eks', 'local'] as const)('plain-YAML synth for %s', (target) => {
  test('writes the CRD, the operator and the sample network last, in that order', () => {
    const names = synthTarget(target, config()).map((c) => c.fileName);
    expect(names.slice(-3)).toEqual([
      `${String(names.length - 3).padStart(2, '0')}-bitcoin-crd.yaml`,
      `${String(names.length - 2).padStart(2, '0')}-bitcoin-operator.yaml`,
      `${String(names.length - 1).padStart(2, '0')}-bitcoin-sample.yaml`,
    ]);
  });

  test('keeps the CRD alone in its file, so it can be applied and established first', () => {
    const crd = synthTarget(target, config()).find((c) => c.name === 'bitcoin-crd');
    expect(crd?.objects.map((o) => [o.kind, (o.metadata as any).name])).toEqual([
      ['CustomResourceDefinition', BITCOIN_NETWORK_CRD_NAME],
    ]);
  });

  test('runs the locally built controller image unless controllerImage is set', () => {
    expect(controllerImage(synthTarget(target, config()))).toBe(LOCAL_CONTROLLER_IMAGE);
    const image = 'registry.example.com/bitcoin-controller:1.2.3';
    expect(controllerImage(synthTarget(target, config({ controllerImage: image })))).toBe(image);
  });

  test('sizes the sample network from sampleNetworkNodes', () => {
    const sample = synthTarget(target, config({ sampleNetworkNodes: 5 })).find(
      (c) => c.name === 'bitcoin-sample',
    );
    const network = sample?.objects.find((o) => o.kind === 'BitcoinNetwork') as any;
    expect(network.spec).toEqual({ nodes: 5 });
  });

  test('controllerNamespaces: the controller serves them and the sample namespace, granted there only', () => {
    const charts = synthTarget(target, config({ controllerNamespaces: 'team-a' }));
    const objects = (name: string) => (charts.find((c) => c.name === name)?.objects ?? []) as any[];
    const env = objects('bitcoin-operator').find((o) => o.kind === 'Deployment').spec.template.spec
      .containers[0].env;
    expect(env).toContainEqual({ name: 'BITCOIN_CONTROLLER_NAMESPACES', value: 'team-a,bitcoin' });
    const roles = (name: string) =>
      objects(name)
        .filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding')
        .map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
    // The sample chart makes the bitcoin namespace, after the operator chart: it grants there.
    expect(roles('bitcoin-operator')).toEqual([
      'Role bitcoin-controller/bitcoin-controller',
      'RoleBinding bitcoin-controller/bitcoin-controller',
      'Role team-a/bitcoin-controller',
      'RoleBinding team-a/bitcoin-controller',
    ]);
    expect(roles('bitcoin-sample')).toEqual([
      'Role bitcoin/bitcoin-controller',
      'RoleBinding bitcoin/bitcoin-controller',
    ]);
    expect(objects('bitcoin-operator').find((o) => o.kind === 'ClusterRole').rules).toEqual([]);
  });

  test('without controllerNamespaces the ClusterRole grants everywhere, and no network namespace has a Role', () => {
    const charts = synthTarget(target, config());
    const all = charts.flatMap((c) => c.objects) as any[];
    expect(all.filter((o) => o.kind === 'Role').map((o) => o.metadata.namespace)).toEqual([
      'bitcoin-controller',
    ]);
    expect(
      all.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'bitcoin-controller').rules
        .length,
    ).toBeGreaterThan(0);
  });
});
