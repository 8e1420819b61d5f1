import { readFileSync } from 'fs';
import * as path from 'path';
import { ApiObject, ApiObjectProps, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { parseAllDocuments } from 'yaml';
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
    // Read here rather than with cdk8s's Include, which starts a child Node.js process to read
    // even a local file (a tenth of a second of every synth); parsed as Include parses it.
    const included = parseAllDocuments(readFileSync(BITCOIN_NETWORK_CRD_FILE, 'utf8'), {
      version: '1.1',
    })
      .map((doc) => doc.toJSON() as ApiObjectProps | null)
      .filter((doc): doc is ApiObjectProps => !!doc && Object.keys(doc).length > 0);
    const found = included.map((o) => `${o.kind}/${o.metadata?.name}`);
    const [crd] = included;
    if (
      included.length !== 1 ||
      crd.kind !== 'CustomResourceDefinition' ||
      crd.metadata?.name !== BITCOIN_NETWORK_CRD_NAME
    ) {
      throw new Error(
        `${BITCOIN_NETWORK_CRD_FILE} must hold exactly the CustomResourceDefinition ` +
          `${BITCOIN_NETWORK_CRD_NAME}, got [${found.join(', ')}]`,
      );
    }
    // The construct path Include gave it (Crd/<name>-<kind>), so the manifest is unchanged.
    const objectId = `${BITCOIN_NETWORK_CRD_NAME}-${crd.kind.toLowerCase()}`;
    this.crd = new ApiObject(new Construct(this, 'Crd'), objectId, crd);
  }
}
