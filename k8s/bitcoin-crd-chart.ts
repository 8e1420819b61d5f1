import * as path from 'path';
import { ApiObject, Chart, Include } from 'cdk8s';
import { Construct } from 'constructs';
import { GROUP, PLURAL } from '../controller/api';

/** `metadata.name` of the CustomResourceDefinition. */
export const BITCOIN_NETWORK_CRD_NAME = `${PLURAL}.${GROUP}`;
/** The CRD manifest: the single source of truth for the API and for `npm run import:crd`. */
export const BITCOIN_NETWORK_CRD_FILE = path.join(__dirname, 'crds', 'bitcoinnetwork.yaml');

/**
 * The BitcoinNetwork CustomResourceDefinition, alone in its own chart.
 *
 * It must be applied, and established, before any chart that creates a BitcoinNetwork: an API
 * server rejects a custom resource sent in the same apply as its definition. In CDK, make the
 * operator and sample manifests depend on this one.
 */
export class BitcoinCrdChart extends Chart {
  /** The included CustomResourceDefinition. */
  public readonly crd: ApiObject;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const included = new Include(this, 'Crd', { url: BITCOIN_NETWORK_CRD_FILE }).apiObjects;
    const found = included.map((o) => `${o.kind}/${o.name}`);
    if (
      included.length !== 1 ||
      included[0].kind !== 'CustomResourceDefinition' ||
      included[0].name !== BITCOIN_NETWORK_CRD_NAME
    ) {
      throw new Error(
        `${BITCOIN_NETWORK_CRD_FILE} must hold exactly the CustomResourceDefinition ` +
          `${BITCOIN_NETWORK_CRD_NAME}, got [${found.join(', ')}]`,
      );
    }
    this.crd = included[0];
  }
}
