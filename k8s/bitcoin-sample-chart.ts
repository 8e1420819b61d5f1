import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import { PART_OF_OPERATOR } from '../controller/api';
import { grantNamespace } from './bitcoin-operator-chart';
import { BitcoinNetwork } from './imports/bitcoin.eksplatform.dev';
import { denyAllIngress, denyEgressButDns } from './network-policies';

/** Namespace of the sample network. */
export const SAMPLE_NAMESPACE = 'bitcoin';
/** Name of the sample BitcoinNetwork. */
export const SAMPLE_NETWORK_NAME = 'my-network';

/** The CRD's pattern for metadata.name: an RFC 1035 label, as `<name>-svc` names a Service. */
export const NETWORK_NAME_PATTERN = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** The CRD's maximum length of metadata.name, so that `<name>-sts` stays a valid StatefulSet name. */
export const MAX_NETWORK_NAME_LENGTH = 48;

export interface BitcoinSampleChartProps {
  /** Nodes of the sample network; config's `sampleNetworkNodes` holds it to the CRD's range. */
  readonly nodes: number;

  /**
   * Name of the BitcoinNetwork.
   * @default SAMPLE_NETWORK_NAME
   */
  readonly networkName?: string;

  /**
   * Grant the controller its rules in this namespace (a Role and RoleBinding), for a controller
   * in namespaced mode: the operator chart, applied before this one, cannot make them here.
   * @default false - the ClusterRole grants them
   */
  readonly grantController?: boolean;
}

/**
 * The `bitcoin` namespace and a sample BitcoinNetwork in it, built with the construct generated
 * from the CRD.
 *
 * Apply after {@link BitcoinCrdChart} is established, and after {@link BitcoinOperatorChart} so
 * that the controller picks the network up at once.
 */
export class BitcoinSampleChart extends Chart {
  public readonly namespaceObject: kplus.Namespace;
  public readonly network: BitcoinNetwork;
  public readonly denyAllIngress: kplus.k8s.KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: BitcoinSampleChartProps) {
    super(scope, id);
    const { nodes } = props;
    const networkName = props.networkName ?? SAMPLE_NETWORK_NAME;
    if (networkName.length > MAX_NETWORK_NAME_LENGTH || !NETWORK_NAME_PATTERN.test(networkName)) {
      throw new Error(
        `networkName must be a lowercase RFC 1035 label of at most ${MAX_NETWORK_NAME_LENGTH} ` +
          `characters, got "${networkName}"`,
      );
    }

    this.namespaceObject = new kplus.Namespace(this, 'Namespace', {
      metadata: {
        name: SAMPLE_NAMESPACE,
        labels: {
          // The controller gives bitcoind pods a restricted-profile securityContext (non-root,
          // no privilege escalation, all capabilities dropped, RuntimeDefault seccomp); admission
          // holds it to that.
          'pod-security.kubernetes.io/enforce': 'restricted',
        },
      },
    });

    // Default deny: no pod of the namespace takes traffic unless a policy admits it. The
    // controller adds `<network>-netpol` per network (RPC from the controller, P2P within the
    // network). Do the same in every namespace you put networks in.
    const labels = { 'app.kubernetes.io/part-of': PART_OF_OPERATOR };
    this.denyAllIngress = denyAllIngress(this, SAMPLE_NAMESPACE, labels);
    this.denyAllIngress.node.addDependency(this.namespaceObject);
    // No egress but DNS either; the controller's `<network>-netpol` opens P2P to the same network.
    for (const policy of denyEgressButDns(this, SAMPLE_NAMESPACE, labels)) {
      policy.node.addDependency(this.namespaceObject);
    }

    if (props.grantController) {
      for (const grant of grantNamespace(this, SAMPLE_NAMESPACE)) {
        grant.node.addDependency(this.namespaceObject);
      }
    }

    // spec.image is left to the CRD's default, the pinned Bitcoin Core release.
    this.network = new BitcoinNetwork(this, 'Network', {
      metadata: { name: networkName, namespace: SAMPLE_NAMESPACE },
      spec: { nodes },
    });
    this.network.node.addDependency(this.namespaceObject);
  }
}
