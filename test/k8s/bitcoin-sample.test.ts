import * as fs from 'fs';
import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { loadConfig } from '../../config';
import { MAX_NODES } from '../../controller/api';
import { BITCOIN_NETWORK_CRD_FILE } from '../../k8s/bitcoin-crd-chart';
import { CONTROLLER_RULES } from '../../k8s/bitcoin-operator-chart';
import { BitcoinNetwork } from '../../k8s/imports/bitcoin.eksplatform.dev';
import {
  BitcoinSampleChart,
  BitcoinSampleChartProps,
  MAX_NETWORK_NAME_LENGTH,
  NETWORK_NAME_PATTERN,
} from '../../k8s/bitcoin-sample-chart';
import { Schema, validationErrors } from './structural-schema';

type Json = any;

const crd: Json = YAML.parse(fs.readFileSync(BITCOIN_NETWORK_CRD_FILE, 'utf8'));
const schema: Schema = crd.spec.versions[0].schema.openAPIV3Schema;

function synth(props: BitcoinSampleChartProps): Json[] {
  return Testing.synth(new BitcoinSampleChart(Testing.app(), 'sample', props));
}

/** The BitcoinNetwork among the manifests. */
function networkOf(manifests: Json[]): Json {
  return manifests.find((m) => m.kind === 'BitcoinNetwork');
}

describe('BitcoinSampleChart', () => {
  test('matches the snapshot', () => {
    expect(synth({ nodes: 3 })).toMatchSnapshot();
  });

  test('grants a namespaced controller its rules in the namespace, once the namespace exists', () => {
    const manifests = synth({ nodes: 3, grantController: true });
    expect(manifests.map((m) => [m.kind, m.metadata.name, m.metadata.namespace])).toEqual([
      ['Namespace', 'bitcoin', undefined],
      ['NetworkPolicy', 'deny-all-ingress', 'bitcoin'],
      ['NetworkPolicy', 'deny-all-egress', 'bitcoin'],
      ['NetworkPolicy', 'allow-dns', 'bitcoin'],
      ['Role', 'bitcoin-controller', 'bitcoin'],
      ['RoleBinding', 'bitcoin-controller', 'bitcoin'],
      ['BitcoinNetwork', 'my-network', 'bitcoin'],
    ]);
    const role = manifests.find((m) => m.kind === 'Role');
    expect(role.rules).toEqual(CONTROLLER_RULES);
  });

  test('creates the bitcoin namespace, its default-deny policies, then the network in it', () => {
    const manifests = synth({ nodes: 3 });
    expect(manifests.map((m) => [m.kind, m.metadata.name, m.metadata.namespace])).toEqual([
      ['Namespace', 'bitcoin', undefined],
      ['NetworkPolicy', 'deny-all-ingress', 'bitcoin'],
      ['NetworkPolicy', 'deny-all-egress', 'bitcoin'],
      ['NetworkPolicy', 'allow-dns', 'bitcoin'],
      ['BitcoinNetwork', 'my-network', 'bitcoin'],
    ]);
  });

  test('denies all ingress in the bitcoin namespace by default', () => {
    const policy = synth({ nodes: 3 }).find((m) => m.kind === 'NetworkPolicy');
    expect(policy.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
  });

  test('enforces the restricted Pod Security Standard on the bitcoind pods', () => {
    expect(synth({ nodes: 3 })[0].metadata.labels).toEqual({
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
  });

  test('the network is the generated typed construct, of the API version the CRD serves', () => {
    // GIVEN
    const chart = new BitcoinSampleChart(Testing.app(), 'sample', { nodes: 3 });
    // THEN
    expect(chart.network).toBeInstanceOf(BitcoinNetwork);
    const network = networkOf(Testing.synth(chart));
    expect(network.apiVersion).toBe(`${crd.spec.group}/${crd.spec.versions[0].name}`);
    expect(network.kind).toBe(crd.spec.names.kind);
  });

  test('has as many nodes as configured, by default 3', () => {
    const { sampleNetworkNodes } = loadConfig(() => undefined).operator;
    expect(sampleNetworkNodes).toBe(3);
    expect(networkOf(synth({ nodes: sampleNetworkNodes })).spec).toEqual({ nodes: 3 });
    expect(networkOf(synth({ nodes: 7 })).spec).toEqual({ nodes: 7 });
  });

  test.each([0, 1, 3, MAX_NODES])('a network of %i nodes passes the CRD schema', (nodes) => {
    expect(validationErrors(networkOf(synth({ nodes })), schema)).toEqual([]);
  });

  test('leaves spec.image to the CRD default', () => {
    expect(networkOf(synth({ nodes: 3 })).spec.image).toBeUndefined();
  });

  test('checks network names by the same rule as the CRD', () => {
    const name = crd.spec.versions[0].schema.openAPIV3Schema.properties.metadata.properties.name;
    expect(NETWORK_NAME_PATTERN.source).toBe(name.pattern);
    expect(MAX_NETWORK_NAME_LENGTH).toBe(name.maxLength);
  });

  test('takes another network name', () => {
    expect(networkOf(synth({ nodes: 1, networkName: 'regtest-a' })).metadata.name).toBe(
      'regtest-a',
    );
  });

  test.each(['1st', 'My-Network', 'a'.repeat(49), 'net.work'])(
    'rejects the network name "%s"',
    (networkName) => {
      expect(() => synth({ nodes: 1, networkName })).toThrow(
        `networkName must be a lowercase RFC 1035 label of at most 48 characters, got "${networkName}"`,
      );
    },
  );
});
