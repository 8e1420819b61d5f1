import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { GROUP } from '../../controller/api';
import { loadProjectConfig } from '../../config';
import { PLATFORM_TARGETS, PlatformTarget } from '../../k8s/common';
import { writeTarget } from '../../k8s/synth';
import {
  describeObject,
  describeRejections,
  dryRunAll,
  Exclusion,
} from '../../tools/testplane/dry-run';
import { kubectl } from '../../tools/testplane/lib/kubectl';
import { withTestPlane } from '../helpers/with-test-plane';

// The real BitcoinNetwork API, as the CRD chart ships it.
const CRD_NAME = `bitcoinnetworks.${GROUP}`;
const CRD_SOURCE = path.join(__dirname, '..', '..', 'k8s', 'crds', 'bitcoinnetwork.yaml');
const NAMESPACE = 'networks';

const network = (name: string, spec?: Record<string, unknown>) => ({
  apiVersion: `${GROUP}/v1alpha1`,
  kind: 'BitcoinNetwork',
  metadata: { name, namespace: NAMESPACE },
  ...(spec === undefined ? {} : { spec }),
});

// Networks the real CRD must accept: the bounds of spec.nodes and a fully specified one.
const GOOD_NETWORKS: [string, Record<string, unknown>][] = [
  ['zero', { nodes: 0 }],
  ['fifty', { nodes: 50 }],
  [
    'full',
    {
      nodes: 3,
      image: 'bitcoin/bitcoin:29.4',
      rpcSecretName: 'my-rpc',
      resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: 1 } },
      storage: { size: '10Gi', storageClassName: 'gp3' },
    },
  ],
];

// What the apiserver answers for each bad object; the test fails if any is accepted, or
// rejected for another reason.
const BAD_NETWORKS: [string, Record<string, unknown> | undefined, RegExp][] = [
  [
    'negative',
    { nodes: -1 },
    /spec\.nodes: Invalid value: -1: spec\.nodes in body should be greater than or equal to 0/,
  ],
  [
    'string',
    { nodes: 'three' },
    /spec\.nodes: Invalid value: "string": spec\.nodes in body must be of type integer: "string"/,
  ],
  [
    'too-many',
    { nodes: 51 },
    /spec\.nodes: Invalid value: 51: spec\.nodes in body should be less than or equal to 50/,
  ],
  ['unknown-field', { nodes: 3, colour: 'orange' }, /unknown field "spec\.colour"/],
  ['no-spec', undefined, /spec: Required value/],
  [
    'latest',
    { nodes: 3, image: 'bitcoin/bitcoin:latest' },
    /spec\.image: Invalid value: "bitcoin\/bitcoin:latest": image must be pinned to an exact version, not :latest/,
  ],
];

// An object of a kind nobody installed, as EKS-only add-ons produce.
const serviceMonitor = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'ServiceMonitor',
  metadata: { name: 'web', namespace: NAMESPACE },
  spec: { selector: {} },
};
const SERVICE_MONITOR_EXCLUSION: Exclusion = {
  kind: 'ServiceMonitor',
  reason: 'the Prometheus operator CRDs are not installed on the test plane',
};

/**
 * Objects of the synthesised targets that the test plane cannot validate, each with its reason.
 * Empty: every object of both targets, the sample BitcoinNetwork included, validates here.
 */
const SYNTH_EXCLUSIONS: readonly Exclusion[] = [];

function writeYaml(dir: string, name: string, objects: unknown[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
  return file;
}

function countObjects(files: readonly string[]): number {
  return files
    .flatMap((f) => parseAllDocuments(fs.readFileSync(f, 'utf8')))
    .filter((doc) => doc.toJS() !== null).length;
}

withTestPlane('server-side validation of manifests', (plane) => {
  let dir: string;
  const synthesized = {} as Record<PlatformTarget, string[]>;
  const k = (args: string[], stdin?: string) => kubectl(plane().kubeconfig, args, stdin);

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manifests-'));
    // The same configuration as `npm run synth:k8s`: cdk.json's context.
    const config = loadProjectConfig();
    for (const target of PLATFORM_TARGETS) {
      synthesized[target] = writeTarget(path.join(dir, 'dist'), target, config);
    }
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('both targets ship the BitcoinNetwork CRD exactly as k8s/crds/ defines it', () => {
    const source = parse(fs.readFileSync(CRD_SOURCE, 'utf8')) as { spec: unknown };
    for (const target of PLATFORM_TARGETS) {
      const file = synthesized[target].find((f) => path.basename(f) === '05-bitcoin-crd.yaml');
      expect(file).toBeDefined();
      const [crd] = parseAllDocuments(fs.readFileSync(file!, 'utf8')).map(
        (d) => d.toJS() as { kind: string; metadata: { name: string }; spec: unknown },
      );
      expect(crd.kind).toBe('CustomResourceDefinition');
      expect(crd.metadata.name).toBe(CRD_NAME);
      expect(crd.spec).toEqual(source.spec);
    }
  });

  test.each(PLATFORM_TARGETS)(
    'every object of the %s target passes a server-side dry run, with no exclusions',
    async (target) => {
      const files = synthesized[target];
      const result = await dryRunAll(plane().kubeconfig, files, { exclusions: SYNTH_EXCLUSIONS });
      expect(describeRejections(result)).toBe('');
      expect(result.rejected).toEqual([]);
      expect(result.excluded).toEqual([]);
      expect(result.unusedExclusions).toEqual([]);
      // Every document was checked, not just parsed: the count comes from the files themselves.
      expect(result.checked).toHaveLength(countObjects(files));
      const kinds = new Set(result.checked.map((o) => o.kind));
      for (const kind of ['CustomResourceDefinition', 'BitcoinNetwork', 'ClusterRole', 'Ingress']) {
        expect(kinds).toContain(kind);
      }
      // The CRD went in for real, so the sample network was validated by its schema.
      await k(['get', `crd/${CRD_NAME}`]);
    },
  );

  describe('against the real BitcoinNetwork CRD', () => {
    beforeAll(async () => {
      // Installed from the synthesised chart, as a deployment would.
      const crdFile = synthesized.local.find((f) => path.basename(f) === '05-bitcoin-crd.yaml');
      await k(['apply', '-f', crdFile!]);
      await k(['wait', '--for=condition=Established', '--timeout=60s', `crd/${CRD_NAME}`]);
      await k(
        ['apply', '-f', '-'],
        JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }),
      );
    });

    test.each(GOOD_NETWORKS)('accepts a %s network', async (name, spec) => {
      const file = writeYaml(dir, `good-${name}.yaml`, [network(name, spec)]);
      const result = await dryRunAll(plane().kubeconfig, [file]);
      expect(describeRejections(result)).toBe('');
      expect(result.checked.map(describeObject)).toEqual([
        `BitcoinNetwork ${NAMESPACE}/${name} (good-${name}.yaml#0)`,
      ]);
    });

    test('fills in the default image on a real create', async () => {
      await k(['apply', '-f', '-'], JSON.stringify(network('defaulted', { nodes: 1 })));
      const image = await k([
        'get',
        'btcnet/defaulted',
        '-n',
        NAMESPACE,
        '-o',
        'jsonpath={.spec.image}',
      ]);
      expect(image).toBe('bitcoin/bitcoin:29.4');
      await k(['delete', 'btcnet/defaulted', '-n', NAMESPACE]);
    });

    test.each(BAD_NETWORKS)(
      'rejects a %s network with a clear message',
      async (name, spec, message) => {
        const file = writeYaml(dir, `bad-${name}.yaml`, [network(name, spec)]);
        const result = await dryRunAll(plane().kubeconfig, [file]);
        expect(result.rejected).toHaveLength(1);
        expect(result.rejected[0].message).toMatch(message);
      },
    );

    test('among good objects checked together, names the one bad object alone', async () => {
      const [badName, badSpec, message] = BAD_NETWORKS[0];
      const objects = [
        ...GOOD_NETWORKS.map(([name, spec]) => network(name, spec)),
        network(badName, badSpec),
      ];
      const result = await dryRunAll(plane().kubeconfig, [writeYaml(dir, 'mixed.yaml', objects)]);
      expect(result.rejected.map(({ object }) => object.name)).toEqual([badName]);
      expect(result.rejected[0].message).toMatch(message);
      expect(result.checked).toHaveLength(GOOD_NETWORKS.length + 1);
    });

    test('rejects a bad network on a real create too, not only under a dry run', async () => {
      await expect(
        k(['create', '-f', '-'], JSON.stringify(network('negative', { nodes: -1 }))),
      ).rejects.toThrow(/should be greater than or equal to 0/);
      await expect(k(['get', 'btcnet/negative', '-n', NAMESPACE])).rejects.toThrow(/NotFound/);
    });
  });

  test('rejects objects of kinds that are not installed, unless excluded with a reason', async () => {
    const file = writeYaml(dir, 'monitor.yaml', [serviceMonitor]);
    const strict = await dryRunAll(plane().kubeconfig, [file]);
    expect(describeRejections(strict)).toMatch(
      /ServiceMonitor networks\/web.*no matches for kind/s,
    );

    const unused: Exclusion = { kind: 'PodMonitor', reason: 'not produced any more' };
    const lenient = await dryRunAll(plane().kubeconfig, [file], {
      exclusions: [SERVICE_MONITOR_EXCLUSION, unused],
    });
    expect(lenient.rejected).toEqual([]);
    expect(lenient.excluded).toEqual([
      expect.objectContaining({ reason: SERVICE_MONITOR_EXCLUSION.reason }),
    ]);
    expect(lenient.unusedExclusions).toEqual([unused]);
  });

  test('refuses an exclusion without a reason', async () => {
    await expect(
      dryRunAll(plane().kubeconfig, [], { exclusions: [{ kind: 'ServiceMonitor', reason: ' ' }] }),
    ).rejects.toThrow('exclusion of ServiceMonitor has no reason');
  });
});
