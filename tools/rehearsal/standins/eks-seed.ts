/**
 * What EKS puts into a new cluster before any of our resources run, as far as a chart or manifest
 * could collide with it or rely on it: the gp2 StorageClass and the self-managed add-ons CoreDNS,
 * kube-proxy and the VPC CNI (bootstrapSelfManagedAddons, on by default).
 * @see https://docs.aws.amazon.com/eks/latest/userguide/eks-add-ons.html
 */
import { applyObjects, KubeObject, ObjectRef, refOf } from './kube-objects';
import {
  awsNodeDaemonSet,
  configMap,
  eksImage,
  serviceAccount,
  systemMeta,
  UNVERSIONED,
  workload,
} from './kube-system-objects';

// The tenth address of the service range, as EKS picks it (the plane's is 172.20.0.0/16).
const KUBE_DNS_IP = '172.20.0.10';

// Since Kubernetes 1.30 EKS no longer marks gp2 as the default class.
// @see https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html
const gp2: KubeObject = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'gp2' },
  provisioner: 'kubernetes.io/aws-ebs',
  parameters: { type: 'gp2', fsType: 'ext4' },
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'WaitForFirstConsumer',
};

/** CoreDNS as EKS bootstraps it, and as its managed add-on (adopting these objects) runs it. */
export const coreDnsObjects = (tag: string = UNVERSIONED, replicas = 2): KubeObject[] => [
  serviceAccount('coredns'),
  configMap('coredns', {
    Corefile:
      '.:53 {\n    kubernetes cluster.local in-addr.arpa ip6.arpa\n    forward . /etc/resolv.conf\n}\n',
  }),
  workload('Deployment', 'coredns', [{ name: 'coredns', image: eksImage('coredns', tag) }], {
    selector: { 'k8s-app': 'kube-dns' },
    serviceAccountName: 'coredns',
    replicas,
  }),
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: systemMeta('kube-dns', { 'k8s-app': 'kube-dns' }),
    spec: {
      clusterIP: KUBE_DNS_IP,
      selector: { 'k8s-app': 'kube-dns' },
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      ],
    },
  },
];

/** kube-proxy as EKS bootstraps it, and as its managed add-on runs it. */
export const kubeProxyObjects = (tag: string = UNVERSIONED): KubeObject[] => [
  serviceAccount('kube-proxy'),
  configMap('kube-proxy', { kubeconfig: '' }),
  configMap('kube-proxy-config', { config: 'mode: iptables\n' }),
  workload(
    'DaemonSet',
    'kube-proxy',
    [{ name: 'kube-proxy', image: eksImage('kube-proxy', tag) }],
    {
      selector: { 'k8s-app': 'kube-proxy' },
      serviceAccountName: 'kube-proxy',
      hostNetwork: true,
    },
  ),
];

const vpcCni: KubeObject[] = [
  serviceAccount('aws-node'),
  configMap('amazon-vpc-cni', { 'enable-network-policy-controller': 'false' }),
  awsNodeDaemonSet(),
];

const SEED_OBJECTS: readonly KubeObject[] = [
  gp2,
  ...coreDnsObjects(),
  ...kubeProxyObjects(),
  ...vpcCni,
];

/** Every object EKS itself put there, so a leftovers check can tell them from ours. */
export const EKS_SEED: readonly ObjectRef[] = SEED_OBJECTS.map(refOf);

/** Puts EKS's own objects into a fresh cluster, as EKS does before the stack's resources run. */
export async function seedEksCluster(kubeconfig: string): Promise<void> {
  await applyObjects(kubeconfig, 'eks', SEED_OBJECTS);
}
