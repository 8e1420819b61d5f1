/**
 * NetworkPolicy building blocks. Every namespace we ship starts from "no ingress" and then
 * opens exactly the ports its pods serve, to exactly the peers that need them.
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
