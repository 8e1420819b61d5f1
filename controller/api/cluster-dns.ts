/**
 * Where pods find the cluster's DNS: CoreDNS in `kube-system`, as EKS installs it (and kind, and
 * kubeadm). Egress rules that allow name resolution select these pods on this port.
 */
export const CLUSTER_DNS = {
  namespace: 'kube-system',
  podLabels: { 'k8s-app': 'kube-dns' },
  port: 53,
} as const;
