/**
 * Egress from the namespaces our charts own: denied by default, DNS open, and for the controller
 * exactly the API server and bitcoind's RPC port; never the instance metadata address.
 */
import { PLATFORM_TARGETS, PlatformTarget } from '../../k8s/common';
import { synthTarget } from '../../k8s/synth';
import { EVERYTHING, K8sObject, config } from '../helpers/k8s';

const OWNED_NAMESPACES = ['web', 'storage-demo', 'bitcoin', 'bitcoin-controller'];
const METADATA = '169.254.169.254';
const DNS_PEER = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};
const DNS_PORTS = [
  { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 53 },
];
const VPC_CIDR = '10.42.0.0/16';

interface EgressRule {
  to?: Array<{ ipBlock?: { cidr: string; except?: string[] }; [key: string]: unknown }>;
  ports?: Array<{ protocol: string; port: number }>;
}

/** Whether `address` is in IPv4 `cidr`, computed bit by bit. */
function inCidr(address: string, cidr: string): boolean {
  const bits = (ip: string) =>
    ip
      .split('.')
      .map((octet) => Number(octet).toString(2).padStart(8, '0'))
      .join('');
  const [network, length] = cidr.split('/');
  const prefix = Number(length ?? 32);
  return bits(address).slice(0, prefix) === bits(network).slice(0, prefix);
}

function policiesOf(target: PlatformTarget): K8sObject[] {
  return synthTarget(target, config({ ...EVERYTHING, vpcCidr: VPC_CIDR }))
    .flatMap((chart) => chart.objects as K8sObject[])
    .filter((o) => o.kind === 'NetworkPolicy');
}

describe.each(PLATFORM_TARGETS)('egress policies of the %s target', (target) => {
  const policies = policiesOf(target);
  const egressRules = (namespace: string): EgressRule[] =>
    policies
      .filter((p) => p.metadata.namespace === namespace && p.spec.policyTypes.includes('Egress'))
      .flatMap((p) => p.spec.egress ?? []);

  test.each(OWNED_NAMESPACES)('%s denies all egress to every pod by default', (namespace) => {
    const deny = policies.filter(
      (p) =>
        p.metadata.namespace === namespace &&
        Object.keys(p.spec.podSelector).length === 0 &&
        p.spec.policyTypes.includes('Egress') &&
        (p.spec.egress ?? []).length === 0,
    );
    expect(deny.map((p) => p.metadata.name)).toEqual(['deny-all-egress']);
  });

  test.each(OWNED_NAMESPACES)('%s lets every pod ask the cluster DNS', (namespace) => {
    const dns = policies.find(
      (p) => p.metadata.namespace === namespace && p.metadata.name === 'allow-dns',
    );
    expect(dns?.spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [DNS_PEER], ports: DNS_PORTS }],
    });
  });

  test.each(['web', 'storage-demo', 'bitcoin'])('%s opens no egress but DNS', (namespace) => {
    expect(egressRules(namespace)).toEqual([{ to: [DNS_PEER], ports: DNS_PORTS }]);
  });

  test('the controller may call DNS, the API server and the RPC port of the bitcoind pods it made, in any namespace, and nothing else', () => {
    const rules = egressRules('bitcoin-controller');
    const nonDns = rules.filter((r) => JSON.stringify(r.to) !== JSON.stringify([DNS_PEER]));
    const rpc = nonDns.filter((r) => r.to?.some((peer) => !peer.ipBlock));
    expect(rpc).toEqual([
      {
        to: [
          {
            namespaceSelector: {},
            podSelector: {
              matchLabels: { 'app.kubernetes.io/managed-by': 'bitcoin-controller' },
            },
          },
        ],
        ports: [{ protocol: 'TCP', port: 18443 }],
      },
    ]);
    const apiServer = nonDns.filter((r) => !rpc.includes(r));
    const opened = apiServer.map((r) => [
      r.to!.map((peer) => peer.ipBlock!.cidr).join(),
      r.ports!.map((p) => `${p.protocol}/${p.port}`).join(),
    ]);
    if (target === 'eks') {
      // The control plane's interfaces are in the VPC; the `kubernetes` Service is the first
      // address of whichever default range EKS picked.
      expect(opened).toEqual([
        [VPC_CIDR, 'TCP/443'],
        ['10.100.0.1/32', 'TCP/443'],
        ['172.20.0.1/32', 'TCP/443'],
      ]);
    } else {
      expect(opened).toEqual([
        ['10.96.0.1/32', 'TCP/443'],
        ['0.0.0.0/0', 'TCP/6443'],
      ]);
    }
  });

  test('no egress rule in any namespace reaches the instance metadata address', () => {
    const blocks = policies
      .flatMap((p) => (p.spec.egress ?? []) as EgressRule[])
      .flatMap((r) => r.to ?? [])
      .flatMap((peer) => (peer.ipBlock ? [peer.ipBlock] : []));
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      const reaches =
        inCidr(METADATA, block.cidr) && !(block.except ?? []).some((e) => inCidr(METADATA, e));
      expect({ block, reaches }).toEqual({ block, reaches: false });
    }
    // A rule with no destination would allow every address, the metadata one too.
    expect(
      policies.flatMap((p) => (p.spec.egress ?? []) as EgressRule[]).filter((r) => !r.to),
    ).toEqual([]);
  });
});
