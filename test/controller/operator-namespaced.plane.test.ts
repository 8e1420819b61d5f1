/**
 * The operator in namespaced mode (`controllerNamespaces`) on a real control plane: the charts as
 * synth makes them, the controller run with the Deployment's environment under the chart's
 * ServiceAccount. It serves the networks of its namespaces (the sample one included), leaves
 * others alone, asks the apiserver nothing outside its namespaces, and is refused there.
 */
import { loadConfig } from '../../config';
import { ENV, GROUP } from '../../controller/api';
import { synthTarget } from '../../k8s/synth';
import { ControllerProcess } from '../../tools/bitcoin/controller-process';
import { eventually } from '../../tools/testplane/lib/eventually';
import { grantsTo, grantUsage } from '../../tools/testplane/lib/grants';
import { kubectl, KubectlError } from '../../tools/testplane/lib/kubectl';
import { sleep } from '../../tools/testplane/lib/process';
import {
  CONTROLLER_NAMESPACE,
  CONTROLLER_SA,
  CONTROLLER_USER,
} from '../../tools/bitcoin/operator-harness';
import { AdminApi } from '../../tools/testplane/lib/admin-api';
import { LocalOperator } from '../../tools/bitcoin/local-operator';
import { withTestPlane } from '../helpers/with-test-plane';

const SERVED = 'team-a';
const SAMPLE = 'bitcoin';
const OTHER = 'elsewhere';
const CONVERGE_MS = 120_000;
const RESYNC_SECONDS = 2;

interface Condition {
  type: string;
  status: string;
}
interface Network {
  status?: { readyNodes?: number; conditions?: Condition[] };
}

const charts = () =>
  synthTarget(
    'local',
    loadConfig((key) => ({ controllerNamespaces: SERVED, sampleNetworkNodes: 1 })[key]),
  );
const objectsOf = (name: string) =>
  (charts().find((c) => c.name === name)?.objects ?? []).map(
    (o) => structuredClone(o) as Record<string, unknown> & { kind: string },
  );

const network = (namespace: string, name: string) => ({
  apiVersion: `${GROUP}/v1alpha1`,
  kind: 'BitcoinNetwork',
  metadata: { name, namespace },
  spec: { nodes: 1 },
});

withTestPlane('the operator in namespaced mode', (plane) => {
  let operator: LocalOperator;
  let controller: ControllerProcess;
  let admin: AdminApi;
  const k = (args: string[], stdin?: string) => kubectl(plane().kubeconfig, args, stdin);
  const apply = (items: object[]) =>
    k(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  const networkAt = (ns: string, name: string) =>
    admin.get<Network>(`/apis/${GROUP}/v1alpha1/namespaces/${ns}/bitcoinnetworks/${name}`);

  beforeAll(async () => {
    admin = new AdminApi(plane().kubeconfig);
    await apply(objectsOf('bitcoin-crd'));
    await k([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      `crd/bitcoinnetworks.${GROUP}`,
    ]);
    // The listed namespace exists before deploy, as docs/operator.md asks.
    for (const ns of [SERVED, OTHER]) await k(['create', 'namespace', ns]);
    // The controller runs here as a local process, with the Deployment's environment.
    const operatorChart = objectsOf('bitcoin-operator');
    const deployment = operatorChart.find((o) => o.kind === 'Deployment') as unknown as {
      spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
    };
    const watch = deployment.spec.template.spec.containers[0].env.find(
      (e) => e.name === ENV.namespaces,
    );
    expect(watch?.value).toBe(`${SERVED},${SAMPLE}`);
    // A network made elsewhere before the operator chart's admission policy existed.
    await apply([network(OTHER, 'beta')]);
    await apply(operatorChart.filter((o) => o.kind !== 'Deployment'));
    await apply(objectsOf('bitcoin-sample'));
    operator = await LocalOperator.start(plane(), {
      name: 'namespaced-controller',
      resyncSeconds: RESYNC_SECONDS,
      env: { [ENV.namespaces]: watch!.value! },
    });
    ({ controller } = operator);
  }, 180_000);

  afterAll(() => operator?.stop(), 60_000);

  test(
    'serves the networks of its namespaces, the sample one included, and leaves others alone',
    async () => {
      await apply([network(SERVED, 'alpha')]);
      for (const [ns, name] of [
        [SERVED, 'alpha'],
        [SAMPLE, 'my-network'],
      ]) {
        await eventually(async () => {
          const net = await networkAt(ns, name);
          expect(net.status?.readyNodes).toBe(1);
          expect(net.status?.conditions).toContainEqual(
            expect.objectContaining({ type: 'Ready', status: 'True' }),
          );
        }, CONVERGE_MS);
      }
      // Several resyncs later the other namespace's network has neither status nor children.
      await sleep(3 * RESYNC_SECONDS * 1000);
      expect((await networkAt(OTHER, 'beta')).status).toBeUndefined();
      const children = await k(['get', 'statefulsets,services,secrets', '-n', OTHER, '-o', 'name']);
      expect(children.trim()).toBe('');
    },
    3 * CONVERGE_MS,
  );

  test('refuses a new network outside its namespaces at creation, naming them', async () => {
    // The apiserver loads a new admission policy within seconds.
    const refusal = await eventually(async () => {
      const err = await apply([network(OTHER, 'gamma')]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(KubectlError);
      return (err as KubectlError).stderr;
    });
    expect(refusal).toContain(
      `the bitcoin controller serves BitcoinNetworks only in the namespaces ${SERVED}, ${SAMPLE} (config key controllerNamespaces)`,
    );
    await expect(k(['get', 'bitcoinnetwork', 'gamma', '-n', OTHER])).rejects.toBeInstanceOf(
      KubectlError,
    );
  });

  test.each([
    ['list', 'secrets', '', false],
    ['list', `bitcoinnetworks.${GROUP}`, '', false],
    ['get', 'secrets', OTHER, false],
    ['patch', 'statefulsets.apps', OTHER, false],
    ['get', 'secrets', SERVED, true],
    ['patch', 'statefulsets.apps', SERVED, true],
    ['watch', 'pods', SAMPLE, true],
    ['create', 'secrets', SAMPLE, true],
  ])(
    'the apiserver answers %s %s (namespace "%s") with allowed=%s',
    async (verb, resource, ns, allowed) => {
      const scope = ns ? ['-n', ns] : ['--all-namespaces'];
      const ask = k([
        'auth',
        'can-i',
        verb,
        resource,
        ...scope,
        `--as=${CONTROLLER_USER}`,
        '--quiet',
      ]);
      if (allowed) {
        await ask;
      } else {
        await expect(ask).rejects.toBeInstanceOf(KubectlError);
      }
    },
  );

  test('asked nothing outside its namespaces, and nothing it was not granted', async () => {
    // Watches are audited when they end.
    await controller.stop();
    await eventually(async () => {
      const watches = plane()
        .auditEvents()
        .filter((e) => e.user.username === CONTROLLER_USER && e.verb === 'watch');
      expect(new Set(watches.map((e) => e.objectRef?.namespace))).toEqual(
        new Set([SERVED, SAMPLE]),
      );
    });
    const requests = plane()
      .auditEvents()
      .filter((e) => e.user.username === CONTROLLER_USER);
    expect(new Set(requests.map((e) => e.objectRef?.namespace))).toEqual(new Set([SERVED, SAMPLE]));
    const grants = grantsTo([...objectsOf('bitcoin-operator'), ...objectsOf('bitcoin-sample')], {
      namespace: CONTROLLER_NAMESPACE,
      name: CONTROLLER_SA,
    }).filter((g) => g.namespace !== CONTROLLER_NAMESPACE);
    expect(grants.map((g) => g.by)).toEqual([
      'ClusterRole bitcoin-controller',
      `Role ${SERVED}/bitcoin-controller`,
      `Role ${SAMPLE}/bitcoin-controller`,
    ]);
    const usage = grantUsage(grants, plane().auditEvents(), CONTROLLER_USER);
    expect(usage.missing).toEqual([]);
    // The rules are the ClusterRole's of the cluster-wide mode, which operator-e2e compares in
    // full. Here no child is edited by hand, no credential changes (the patch of `<network>-rpcauth`)
    // and a status write conflicts only by chance, so the patch-backs and the re-read after a
    // conflict may go unused; nothing else may.
    const driftOrConflictOnly =
      /: (patch (statefulsets\.apps|services|secrets|networkpolicies\.networking\.k8s\.io|poddisruptionbudgets\.policy)|get bitcoinnetworks\.bitcoin\.eksplatform\.dev)$/;
    expect(usage.unused.filter((u) => !driftOrConflictOnly.test(u))).toEqual([]);
  });
});
