import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { MAX_NETWORK_NODES } from '../../lib/config';
import { BITCOIN_NETWORK_CRD_FILE } from '../../k8s/bitcoin-crd-chart';

// The controller keeps its own copy of the API's names in controller/api.ts (its image holds
// nothing outside controller/). This checks that copy against the CRD once both are in the tree.
const CONTROLLER_API = path.join(__dirname, '..', '..', 'controller', 'api.ts');
const crd = YAML.parse(fs.readFileSync(BITCOIN_NETWORK_CRD_FILE, 'utf8'));
const spec = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec;

function controllerApi(): Record<string, unknown> {
  // Loaded at run time: controller/api.ts is not there until the controller branch is merged.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(CONTROLLER_API);
}

(fs.existsSync(CONTROLLER_API) ? describe : describe.skip)(
  'controller/api.ts agrees with the CRD',
  () => {
    test('on the group, version and names', () => {
      expect(controllerApi()).toMatchObject({
        GROUP: crd.spec.group,
        VERSION: crd.spec.versions[0].name,
        KIND: crd.spec.names.kind,
        PLURAL: crd.spec.names.plural,
        SINGULAR: crd.spec.names.singular,
        SHORT_NAME: crd.spec.names.shortNames[0],
      });
    });

    test('on the largest network and the default image', () => {
      expect(controllerApi()).toMatchObject({
        MAX_NODES: spec.properties.nodes.maximum,
        DEFAULT_IMAGE: spec.properties.image.default,
      });
      expect(MAX_NETWORK_NODES).toBe(spec.properties.nodes.maximum);
    });
  },
);
