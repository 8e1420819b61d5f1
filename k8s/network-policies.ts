/**
 * NetworkPolicy building blocks. Every namespace we ship starts from "no ingress, no egress but
 * DNS" and then opens exactly the ports its pods serve, to exactly the peers that need them, and
 * exactly the destinations its pods call.
 */
import { k8s } from 'cdk8s-plus-34';
import { Construct } from 'constructs';

/** Denies all ingress to every pod of `namespace` unless another policy allows it. */
export function denyAllIngress(
  scope: Construct,
  namespace: string,
  labels: Record<string, string>,
): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, `deny-ingress-${namespace}`, {
    metadata: { name: 'deny-all-ingress', namespace, labels },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  });
}

export interface AllowIngressProps {
  /** Policy name, unique in the namespace. */
  readonly name: string;
  readonly namespace: string;
  /** Labels of the policy itself. */
  readonly labels: Record<string, string>;
  /** Labels of the pods that receive the traffic. */
  readonly pods: Record<string, string>;
  /** TCP ports they serve. */
  readonly ports: readonly number[];
  /** Who may connect. @default - anyone, inside or outside the cluster */
  readonly from?: k8s.NetworkPolicyPeer[];
}

/** Allows TCP ingress on `ports` to the selected pods. */
export function allowIngress(scope: Construct, props: AllowIngressProps): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, `allow-${props.namespace}-${props.name}`, {
    metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
    spec: {
      podSelector: { matchLabels: props.pods },
      policyTypes: ['Ingress'],
      ingress: [
        {
          ports: props.ports.map((port) => ({
            protocol: 'TCP',
            port: k8s.IntOrString.fromNumber(port),
          })),
          ...(props.from ? { from: props.from } : {}),
        },
      ],
    },
  });
}

/** CoreDNS, which answers the cluster's DNS: `k8s-app: kube-dns` in kube-system on EKS and kind. */
export const CLUSTER_DNS: k8s.NetworkPolicyPeer = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};

/** The EC2 instance metadata service (node credentials): never open to our pods. */
export const INSTANCE_METADATA = '169.254.169.254/32';

/**
 * Denies all egress from every pod of `namespace` but DNS: `deny-all-egress` and `allow-dns`.
 * Other policies open what each workload needs besides.
 */
export function denyEgressButDns(
  scope: Construct,
  namespace: string,
  labels: Record<string, string>,
): k8s.KubeNetworkPolicy[] {
  return [
    new k8s.KubeNetworkPolicy(scope, `deny-egress-${namespace}`, {
      metadata: { name: 'deny-all-egress', namespace, labels },
      spec: { podSelector: {}, policyTypes: ['Egress'] },
    }),
    allowEgress(scope, {
      name: 'allow-dns',
      namespace,
      labels,
      pods: {},
      rules: [
        {
          to: [CLUSTER_DNS],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    }),
  ];
}

export interface AllowEgressProps {
  /** Policy name, unique in the namespace. */
  readonly name: string;
  readonly namespace: string;
  /** Labels of the policy itself. */
  readonly labels: Record<string, string>;
  /** Labels of the pods that send the traffic; `{}` for every pod of the namespace. */
  readonly pods: Record<string, string>;
  /** Where to, on which ports. */
  readonly rules: readonly EgressRule[];
}

export interface EgressRule {
  /** An ipBlock that covers the instance metadata address gets it as an exception. */
  readonly to: readonly k8s.NetworkPolicyPeer[];
  readonly ports: ReadonlyArray<{ readonly protocol: 'TCP' | 'UDP'; readonly port: number }>;
}

/** Allows egress from the selected pods as `rules` say, never to the instance metadata. */
export function allowEgress(scope: Construct, props: AllowEgressProps): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, `allow-${props.namespace}-${props.name}`, {
    metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
    spec: {
      podSelector: Object.keys(props.pods).length ? { matchLabels: props.pods } : {},
      policyTypes: ['Egress'],
      egress: props.rules.map((rule) => ({
        to: rule.to.map(withoutInstanceMetadata),
        ports: rule.ports.map(({ protocol, port }) => ({
          protocol,
          port: k8s.IntOrString.fromNumber(port),
        })),
      })),
    },
  });
}

function withoutInstanceMetadata(peer: k8s.NetworkPolicyPeer): k8s.NetworkPolicyPeer {
  const block = peer.ipBlock;
  if (!block || !cidrContains(block.cidr, INSTANCE_METADATA)) return peer;
  return { ...peer, ipBlock: { ...block, except: [...(block.except ?? []), INSTANCE_METADATA] } };
}

/** Whether IPv4 CIDR `outer` contains every address of `inner`. */
function cidrContains(outer: string, inner: string): boolean {
  const parse = (cidr: string): [number, number] => {
    const [address, bits] = cidr.split('/');
    const value = address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
    return [value, Number(bits ?? 32)];
  };
  const [outerAddress, outerBits] = parse(outer);
  const [innerAddress, innerBits] = parse(inner);
  const block = 2 ** (32 - outerBits);
  return (
    innerBits >= outerBits && Math.floor(innerAddress / block) === Math.floor(outerAddress / block)
  );
}
