/** The command line of each component: what it listens on, trusts, and is allowed to do. */
import * as path from 'node:path';
import { Pki } from './pki';

// Outside 10.0.0.0/8, so that no pod range can overlap it.
const SERVICE_CIDR = '172.20.0.0/16';
const STAGES = path.join(__dirname, '..', 'kwok', 'stages.yaml');

export function etcdFlags(dataDir: string, clientUrl: string, peerUrl: string): string[] {
  return [
    '--name=testplane',
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=testplane=${peerUrl}`,
    // Test data is thrown away; fsync only costs time.
    '--unsafe-no-fsync',
    '--log-level=warn',
  ];
}

export interface ApiserverFlagOptions {
  readonly etcdUrl: string;
  readonly port: number;
  readonly certDir: string;
  readonly pki: Pki;
  readonly auditPolicy: string;
  readonly auditLog: string;
}

export function apiserverFlags(opts: ApiserverFlagOptions): string[] {
  return [
    `--etcd-servers=${opts.etcdUrl}`,
    '--bind-address=127.0.0.1',
    // Without a default route the apiserver cannot guess an address to advertise.
    '--advertise-address=127.0.0.1',
    `--secure-port=${opts.port}`,
    `--cert-dir=${opts.certDir}`,
    `--tls-cert-file=${opts.pki.serving.cert}`,
    `--tls-private-key-file=${opts.pki.serving.key}`,
    `--client-ca-file=${opts.pki.caCert}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${opts.pki.serviceAccountPublicKey}`,
    `--service-account-signing-key-file=${opts.pki.serviceAccountKey}`,
    // RBAC only, so that the operator's ClusterRole is what grants it anything.
    '--authorization-mode=RBAC',
    // Its own loopback endpoint would be rejected by Endpoints validation.
    '--endpoint-reconciler-type=none',
    '--allow-privileged=true',
    // As on EKS: webhooks and aggregated APIs are called at a ready endpoint of their Service
    // (or fail with "no endpoints available for service"), not at its ClusterIP, which nothing
    // here routes.
    '--enable-aggregator-routing=true',
    `--audit-policy-file=${opts.auditPolicy}`,
    `--audit-log-path=${opts.auditLog}`,
    '--audit-log-format=json',
    // Synchronous, so an event is on disk by the time a test looks for it.
    '--audit-log-mode=blocking',
    '--profiling=false',
    // No admission flags: the defaults include ServiceAccount (which envtest turns off), so
    // namespaces get their `default` ServiceAccount and pods their token, as on EKS.
  ];
}

/** What kube-controller-manager and kube-scheduler share: their client, serving and election. */
export function componentFlags(kubeconfig: string, port: number, pki: Pki): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${port}`,
    `--tls-cert-file=${pki.serving.cert}`,
    `--tls-private-key-file=${pki.serving.key}`,
    '--leader-elect=false',
  ];
}

export function controllerManagerFlags(kubeconfig: string, port: number, pki: Pki): string[] {
  return [
    ...componentFlags(kubeconfig, port, pki),
    // As kubeadm does: each controller acts as its own ServiceAccount, so the audit log
    // says which controller wrote what.
    '--use-service-account-credentials=true',
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    `--root-ca-file=${pki.caCert}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    // At the default 20 requests a second, setting up its controllers (a ServiceAccount and a
    // token each) took 5 of a plane's 8.5 s start, and every controller waited its turn in tests.
    '--kube-api-qps=200',
    '--kube-api-burst=400',
  ];
}

/** kwok plays the kubelet of every node, with pod IPs from `podCidr`. */
export function kwokFlags(kubeconfig: string, nodeIp: string, podCidr: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--config=${STAGES}`,
    '--manage-all-nodes=true',
    // Renew node leases; otherwise the node lifecycle controller marks the nodes
    // NotReady and taints them.
    '--node-lease-duration-seconds=40',
    `--node-ip=${nodeIp}`,
    `--cidr=${podCidr}`,
  ];
}
