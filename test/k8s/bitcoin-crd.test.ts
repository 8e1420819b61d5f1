import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { GROUP, MAX_NODES, VERSION } from '../../controller/api';
import {
  BITCOIN_NETWORK_CRD_FILE,
  BITCOIN_NETWORK_CRD_NAME,
  BitcoinCrdChart,
} from '../../k8s/bitcoin-crd-chart';
import { Schema, structuralErrors, validationErrors } from './structural-schema';

type Json = any;

const crd: Json = YAML.parse(fs.readFileSync(BITCOIN_NETWORK_CRD_FILE, 'utf8'));
const version: Json = crd.spec.versions[0];
const schema: Schema = version.schema.openAPIV3Schema;
const spec: Json = (schema.properties as Json).spec;
const status: Json = (schema.properties as Json).status;

/** The schema node a `.a.b` JSON path points at, or undefined. */
function schemaAt(jsonPath: string): Json {
  return jsonPath
    .split('.')
    .slice(1)
    .reduce<Json>((node, key) => node?.properties?.[key], schema);
}

/** Validates a whole BitcoinNetwork object against the CRD schema. */
function errorsOf(object: Json): string[] {
  return validationErrors(object, schema);
}

function network(specOverrides: Json, name = 'my-network'): Json {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'BitcoinNetwork',
    metadata: { name, namespace: 'bitcoin' },
    spec: { nodes: 3, ...specOverrides },
  };
}

describe('BitcoinCrdChart', () => {
  test('synthesizes exactly the CRD file, unchanged', () => {
    // GIVEN
    const app = Testing.app();
    // WHEN
    const manifests = Testing.synth(new BitcoinCrdChart(app, 'crd'));
    // THEN
    expect(manifests).toEqual([crd]);
    expect(manifests).toMatchSnapshot();
  });

  test('the CRD is named <plural>.<group>', () => {
    expect(crd.metadata.name).toBe(BITCOIN_NETWORK_CRD_NAME);
    expect(BITCOIN_NETWORK_CRD_NAME).toBe('bitcoinnetworks.bitcoin.eksplatform.dev');
  });
});

describe('BitcoinNetwork CRD', () => {
  test('is a namespaced apiextensions.k8s.io/v1 CRD with the agreed names', () => {
    expect(crd.apiVersion).toBe('apiextensions.k8s.io/v1');
    expect(crd.kind).toBe('CustomResourceDefinition');
    expect(crd.spec.group).toBe('bitcoin.eksplatform.dev');
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.names).toEqual({
      kind: 'BitcoinNetwork',
      listKind: 'BitcoinNetworkList',
      plural: 'bitcoinnetworks',
      singular: 'bitcoinnetwork',
      shortNames: ['btcnet'],
    });
  });

  test('serves and stores only v1alpha1', () => {
    expect(crd.spec.versions.map((v: Json) => [v.name, v.served, v.storage])).toEqual([
      ['v1alpha1', true, true],
    ]);
  });

  test('has a structural schema', () => {
    expect(structuralErrors(schema)).toEqual([]);
  });

  test('never preserves unknown fields or declares free-form maps, anywhere in the CRD', () => {
    const text = JSON.stringify(crd);
    expect(text).not.toContain('x-kubernetes-preserve-unknown-fields');
    expect(text).not.toContain('additionalProperties');
  });

  test('requires spec, and spec.nodes', () => {
    expect(schema.required).toEqual(['spec']);
    expect(spec.required).toEqual(['nodes']);
    expect(errorsOf({ apiVersion: 'x', kind: 'BitcoinNetwork', metadata: {} })).toEqual([
      '<root>: missing required field "spec"',
    ]);
    const withoutNodes = network({});
    delete withoutNodes.spec.nodes;
    expect(errorsOf(withoutNodes)).toEqual(['<root>.spec: missing required field "nodes"']);
  });

  test('bounds spec.nodes to an int32 from 0 to MAX_NODES', () => {
    expect(spec.properties.nodes).toMatchObject({
      type: 'integer',
      format: 'int32',
      minimum: 0,
      maximum: MAX_NODES,
    });
    expect(errorsOf(network({ nodes: 0 }))).toEqual([]);
    expect(errorsOf(network({ nodes: MAX_NODES }))).toEqual([]);
    expect(errorsOf(network({ nodes: -1 }))).toEqual(['<root>.spec.nodes: must be >= 0, got -1']);
    expect(errorsOf(network({ nodes: MAX_NODES + 1 }))).toEqual([
      `<root>.spec.nodes: must be <= ${MAX_NODES}, got ${MAX_NODES + 1}`,
    ]);
    expect(errorsOf(network({ nodes: 1.5 }))).toEqual([
      '<root>.spec.nodes: must be an integer, got 1.5',
    ]);
    expect(errorsOf(network({ nodes: '3' }))).toEqual([
      '<root>.spec.nodes: must be an integer, got "3"',
    ]);
  });

  test('rejects unknown fields at every level of spec', () => {
    expect(errorsOf(network({ replicas: 3 }))).toEqual(['<root>.spec: unknown field "replicas"']);
    expect(errorsOf(network({ storage: { size: '1Gi', iops: 3000 } }))).toEqual([
      '<root>.spec.storage: unknown field "iops"',
    ]);
    expect(errorsOf(network({ resources: { requests: { gpu: 1 } } }))).toEqual([
      '<root>.spec.resources.requests: unknown field "gpu"',
    ]);
    expect(errorsOf({ ...network({}), extra: true })).toEqual(['<root>: unknown field "extra"']);
  });

  test('accepts a complete spec', () => {
    const complete = network({
      nodes: 4,
      image: 'bitcoin/bitcoin:29.4',
      rpcSecretName: 'my-network-credentials',
      resources: {
        requests: { cpu: '250m', memory: '512Mi' },
        limits: { cpu: 1, memory: '1Gi' },
      },
      storage: { size: '10Gi', storageClassName: 'gp3' },
    });
    expect(errorsOf(complete)).toEqual([]);
  });

  describe('spec.image', () => {
    const image = () => spec.properties.image;

    test('defaults to an exactly pinned Bitcoin Core release', () => {
      expect(image().default).toBe('bitcoin/bitcoin:29.4');
      expect(image().default).toMatch(/:\d+\.\d+(\.\d+)?$/);
      expect(validationErrors(image().default, image())).toEqual([]);
    });

    test.each([
      'bitcoin/bitcoin:29.4',
      'bitcoin/bitcoin:29.4-alpine',
      'registry.example.com:5000/team/bitcoind:v29.4.0',
      `bitcoin/bitcoin@sha256:${'a'.repeat(64)}`,
      `bitcoin/bitcoin:29.4@sha256:${'0'.repeat(64)}`,
    ])('accepts the pinned reference %s', (ref) => {
      expect(errorsOf(network({ image: ref }))).toEqual([]);
    });

    test.each([
      'bitcoin/bitcoin',
      'registry.example.com:5000/bitcoin',
      'bitcoin/bitcoin:',
      'Bitcoin/Bitcoin:29.4',
      'bitcoin/bitcoin@sha256:abc',
      '',
    ])('rejects the unpinned or malformed reference "%s"', (ref) => {
      expect(errorsOf(network({ image: ref }))).not.toEqual([]);
    });

    test('rejects :latest with a CEL rule and a clear message', () => {
      expect(image()['x-kubernetes-validations']).toEqual([
        {
          rule: "!self.endsWith(':latest')",
          message: 'image must be pinned to an exact version, not :latest',
        },
      ]);
    });

    test('has a maximum length, which keeps the CEL rule cheap', () => {
      expect(image().maxLength).toBe(255);
    });
  });

  test('rpcSecretName must be a DNS subdomain', () => {
    expect(errorsOf(network({ rpcSecretName: 'rpc.credentials-1' }))).toEqual([]);
    expect(errorsOf(network({ rpcSecretName: 'RPC_Credentials' }))).toEqual([
      expect.stringMatching(/^<root>\.spec\.rpcSecretName: "RPC_Credentials" does not match/),
    ]);
    expect(errorsOf(network({ rpcSecretName: '-rpc' }))).toHaveLength(1);
  });

  test('resources are int-or-string quantities', () => {
    for (const kind of ['requests', 'limits']) {
      for (const resource of ['cpu', 'memory']) {
        expect(spec.properties.resources.properties[kind].properties[resource]).toMatchObject({
          'x-kubernetes-int-or-string': true,
          anyOf: [{ type: 'integer' }, { type: 'string' }],
        });
      }
    }
    expect(errorsOf(network({ resources: { requests: { cpu: 2, memory: '1.5Gi' } } }))).toEqual([]);
    expect(errorsOf(network({ resources: { limits: { memory: 'lots' } } }))).toEqual([
      expect.stringMatching(/^<root>\.spec\.resources\.limits\.memory: "lots" does not match/),
    ]);
    expect(errorsOf(network({ resources: { limits: { cpu: true } } }))).toEqual([
      '<root>.spec.resources.limits.cpu: must be an integer or a string, got true',
    ]);
  });

  test('storage needs a size quantity and is immutable', () => {
    expect(spec.properties.storage.required).toEqual(['size']);
    expect(errorsOf(network({ storage: { storageClassName: 'gp3' } }))).toEqual([
      '<root>.spec.storage: missing required field "size"',
    ]);
    expect(errorsOf(network({ storage: { size: 'ten gigs' } }))).toHaveLength(1);
    expect(spec['x-kubernetes-validations']).toEqual([
      {
        rule: 'has(self.storage) == has(oldSelf.storage) && (!has(self.storage) || self.storage == oldSelf.storage)',
        message: expect.stringMatching(/^storage is immutable/),
      },
    ]);
  });

  test('names are short RFC 1035 labels, so that <name>-sts and <name>-svc are valid', () => {
    expect(errorsOf(network({}, 'a'.repeat(48)))).toEqual([]);
    expect(errorsOf(network({}, 'a'.repeat(49)))).toEqual([
      '<root>.metadata.name: must be at most 48 characters',
    ]);
    expect(errorsOf(network({}, '1st-network'))).toHaveLength(1);
    expect(errorsOf(network({}, 'my.network'))).toHaveLength(1);
  });

  describe('status', () => {
    test('declares the counts, the selector, nodes and conditions', () => {
      expect(Object.keys(status.properties).sort()).toEqual(
        ['conditions', 'nodes', 'observedGeneration', 'readyNodes', 'replicas', 'selector'].sort(),
      );
      expect(status.properties.observedGeneration).toMatchObject({
        type: 'integer',
        format: 'int64',
      });
      expect(status.properties.replicas).toMatchObject({ type: 'integer', format: 'int32' });
      expect(status.properties.readyNodes).toMatchObject({ type: 'integer', format: 'int32' });
      expect(status.properties.selector).toMatchObject({ type: 'string' });
    });

    test('nodes[] are keyed by ordinal and carry ready, ip, nodeName and dnsName', () => {
      const nodes = status.properties.nodes;
      expect(nodes['x-kubernetes-list-type']).toBe('map');
      expect(nodes['x-kubernetes-list-map-keys']).toEqual(['ordinal']);
      expect(Object.keys(nodes.items.properties)).toEqual([
        'ordinal',
        'ready',
        'ip',
        'nodeName',
        'dnsName',
      ]);
      expect(nodes.items.properties.ready.type).toBe('boolean');
    });

    test('conditions have the metav1.Condition shape, keyed by type', () => {
      const conditions = status.properties.conditions;
      expect(conditions['x-kubernetes-list-type']).toBe('map');
      expect(conditions['x-kubernetes-list-map-keys']).toEqual(['type']);
      expect(conditions.items.required).toEqual([
        'type',
        'status',
        'lastTransitionTime',
        'reason',
        'message',
      ]);
      expect(conditions.items.properties.status.enum).toEqual(['True', 'False', 'Unknown']);
    });

    test('accepts what the controller writes, and rejects a malformed condition', () => {
      const observed = {
        ...network({}),
        status: {
          observedGeneration: 2,
          replicas: 2,
          readyNodes: 1,
          selector: 'app.kubernetes.io/instance=my-network,app.kubernetes.io/name=bitcoind',
          nodes: [
            {
              ordinal: 0,
              ready: true,
              ip: '10.0.1.7',
              nodeName: 'my-network-sts-0',
              dnsName: 'my-network-sts-0.my-network-svc.bitcoin.svc.cluster.local',
            },
            { ordinal: 1, ready: false },
          ],
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              observedGeneration: 2,
              lastTransitionTime: '2026-11-23T12:00:00Z',
              reason: 'NodesNotReady',
              message: '1 of 2 nodes ready',
            },
          ],
        },
      };
      expect(errorsOf(observed)).toEqual([]);

      const broken = structuredClone(observed);
      broken.status.conditions[0].status = 'Maybe';
      broken.status.conditions.push({ ...broken.status.conditions[0], status: 'True' });
      expect(errorsOf(broken)).toEqual([
        '<root>.status.conditions[0].status: "Maybe" is not one of ["True","False","Unknown"]',
        '<root>.status.conditions[1]: duplicate entry for key type=["Ready"]',
      ]);
    });
  });

  test('has the status subresource and a scale subresource on spec.nodes', () => {
    expect(version.subresources).toEqual({
      status: {},
      scale: {
        specReplicasPath: '.spec.nodes',
        statusReplicasPath: '.status.replicas',
        labelSelectorPath: '.status.selector',
      },
    });
  });

  test('the scale paths point at fields of the right type', () => {
    const { specReplicasPath, statusReplicasPath, labelSelectorPath } = version.subresources.scale;
    expect(schemaAt(specReplicasPath).type).toBe('integer');
    expect(schemaAt(statusReplicasPath).type).toBe('integer');
    expect(schemaAt(labelSelectorPath).type).toBe('string');
    expect(schemaAt('.spec.nosuchfield')).toBeUndefined();
  });

  test('prints Desired, Ready and Age', () => {
    expect(version.additionalPrinterColumns.map((c: Json) => [c.name, c.type, c.jsonPath])).toEqual(
      [
        ['Desired', 'integer', '.spec.nodes'],
        ['Ready', 'integer', '.status.readyNodes'],
        ['Age', 'date', '.metadata.creationTimestamp'],
      ],
    );
    expect(schemaAt('.status.readyNodes').type).toBe('integer');
  });
});

describe('generated construct', () => {
  test('k8s/imports is up to date with the CRD (npm run import:crd)', () => {
    // GIVEN
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-import-'));
    const cli = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'cdk8s');
    try {
      // WHEN
      execFileSync(
        cli,
        ['import', BITCOIN_NETWORK_CRD_FILE, '--output', out, '--language', 'typescript'],
        { stdio: 'pipe' },
      );
      // THEN
      const file = 'bitcoin.eksplatform.dev.ts';
      const committed = path.join(__dirname, '..', '..', 'k8s', 'imports', file);
      expect(fs.readFileSync(path.join(out, file), 'utf8')).toBe(
        fs.readFileSync(committed, 'utf8'),
      );
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
