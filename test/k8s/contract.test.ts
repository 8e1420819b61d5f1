import * as fs from 'fs';
import * as YAML from 'yaml';
import * as api from '../../controller/api';
import { CONFIG_SCHEMA } from '../../config';
import { BITCOIN_NETWORK_CRD_FILE } from '../../k8s/bitcoin-crd-chart';

// The controller keeps its own copy of the API's names in controller/api (its image holds
// nothing outside controller/). This checks that copy against the CRD.
const crd = YAML.parse(fs.readFileSync(BITCOIN_NETWORK_CRD_FILE, 'utf8'));
const spec = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec;

describe('controller/api agrees with the CRD', () => {
  test('on the group, version and names', () => {
    expect(api).toMatchObject({
      GROUP: crd.spec.group,
      VERSION: crd.spec.versions[0].name,
      KIND: crd.spec.names.kind,
      PLURAL: crd.spec.names.plural,
      SINGULAR: crd.spec.names.singular,
      SHORT_NAME: crd.spec.names.shortNames[0],
    });
  });

  test('on the largest network and the default image', () => {
    expect(api).toMatchObject({
      MAX_NODES: spec.properties.nodes.maximum,
      DEFAULT_IMAGE: spec.properties.image.default,
    });
  });

  test("config's sampleNetworkNodes allows exactly the CRD's range", () => {
    expect(CONFIG_SCHEMA.operator.sampleNetworkNodes.type.rule).toBe(
      `a whole number from ${spec.properties.nodes.minimum} to ${spec.properties.nodes.maximum}`,
    );
  });
});
