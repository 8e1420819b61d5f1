/** Builders for the kube-system objects that EKS and its add-ons install. */
import type { KubeObject } from './kube-objects';

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly args?: readonly string[];
  readonly ports?: readonly { name: string; containerPort: number }[];
}

/** kwok pulls nothing: the tag only has to look like it comes from EKS's registry. */
/** The tag of an image whose add-on names no version: EKS then installs its default. */
export const UNVERSIONED = 'stand-in';

/** An image from EKS's registry; an add-on's version is its images' tag (`v1.12.4-eksbuild.1`). */
export const eksImage = (name: string, tag: string = UNVERSIONED): string =>
  `602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/${name}:${tag}`;

export const systemMeta = (name: string, labels: Record<string, string> = {}) => ({
  name,
  namespace: 'kube-system',
  labels,
});

export const serviceAccount = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: systemMeta(name),
});

export const configMap = (name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: systemMeta(name),
  data,
});

/** A Deployment or DaemonSet in kube-system whose pods carry `<selectorKey>: <app>`. */
export function workload(
  kind: 'Deployment' | 'DaemonSet',
  name: string,
  containers: readonly Container[],
  options: {
    readonly selector?: Record<string, string>;
    readonly serviceAccountName?: string;
    readonly hostNetwork?: boolean;
    readonly replicas?: number;
  } = {},
): KubeObject {
  const selector = options.selector ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: systemMeta(name, selector),
    spec: {
      ...(options.replicas === undefined ? {} : { replicas: options.replicas }),
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: selector },
        spec: {
          ...(options.serviceAccountName ? { serviceAccountName: options.serviceAccountName } : {}),
          hostNetwork: options.hostNetwork ?? false,
          containers,
        },
      },
    },
  };
}

/**
 * The VPC CNI's aws-node DaemonSet: EKS creates it with the cluster and the vpc-cni add-on takes
 * it over, adding the network policy agent when asked to.
 */
export function awsNodeDaemonSet(
  extraContainers: readonly Container[] = [],
  tag: string = UNVERSIONED,
): KubeObject {
  return workload(
    'DaemonSet',
    'aws-node',
    [{ name: 'aws-node', image: eksImage('amazon-k8s-cni', tag) }, ...extraContainers],
    { selector: { 'k8s-app': 'aws-node' }, serviceAccountName: 'aws-node', hostNetwork: true },
  );
}
