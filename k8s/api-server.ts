/**
 * Where a pod reaches the Kubernetes API server on each target, for the controller's egress
 * policy. A pod dials the `kubernetes` Service's cluster IP, which kube-proxy rewrites to the
 * API server's own address; whether a network plugin matches egress policy before or after that
 * rewrite is not defined, so both are allowed.
 */
import { PlatformTarget } from './common';

export interface ApiServerAddress {
  /** An IPv4 CIDR. */
  readonly cidr: string;
  /** TCP port. */
  readonly port: number;
}

/**
 * The first address of each range EKS picks the Service range from when the cluster names none
 * (ours does not): 10.100.0.0/16 or 172.20.0.0/16, whichever does not overlap the VPC.
 */
export const EKS_KUBERNETES_SERVICE_IPS = ['10.100.0.1/32', '172.20.0.1/32'] as const;
/** kind's `kubernetes` Service address, the first of its default Service range 10.96.0.0/16. */
export const KIND_KUBERNETES_SERVICE_IP = '10.96.0.1/32';
/** kind's API server port on its control-plane node. */
export const KIND_API_SERVER_PORT = 6443;

/**
 * EKS: the API server's endpoints are the control plane's network interfaces in the cluster's
 * subnets, so the VPC's range on 443 (the instance metadata address is outside any VPC range).
 * kind: the control-plane node's address is docker's choice, so any address but the instance
 * metadata one on 6443 (a local cluster only).
 */
export function apiServerAddresses(
  target: PlatformTarget,
  vpcCidr: string,
): readonly ApiServerAddress[] {
  if (target === 'eks') {
    return [vpcCidr, ...EKS_KUBERNETES_SERVICE_IPS].map((cidr) => ({ cidr, port: 443 }));
  }
  return [
    { cidr: KIND_KUBERNETES_SERVICE_IP, port: 443 },
    { cidr: '0.0.0.0/0', port: KIND_API_SERVER_PORT },
  ];
}
