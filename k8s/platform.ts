/**
 * The platform's charts for one target, created in a cdk8s App (or any construct scope) and
 * returned by name in the order they must be applied.
 *
 * The CDK stack calls {@link createPlatformCharts} and hands each chart to
 * `cluster.addCdk8sChart`; `bin/synth-k8s.ts` writes the same charts as YAML through `k8s/synth.ts`.
 */
import { Construct } from 'constructs';
import type { KubernetesMinor, PlatformConfig } from '../config';
import { AutoscalingChart } from './autoscaling-chart';
import { PlatformTarget } from './common';
import { IngressChart } from './ingress-chart';
import { NamespacesChart } from './namespaces-chart';
import { type KeptClaimNames, StorageChart } from './storage-chart';
import { WorkloadsChart } from './workloads-chart';

export { PLATFORM_TARGETS, type PlatformTarget } from './common';

/** The platform charts by name. Keys are in apply order (see {@link PLATFORM_CHART_ORDER}). */
export interface PlatformCharts {
  /** `web` and `storage-demo`. First: everything else lives in them. */
  readonly namespaces: NamespacesChart;
  /** Storage classes and demo volumes. Needs the EBS CSI add-on on EKS. */
  readonly storage: StorageChart;
  /** httpd, tomcat, alpine and their Services. Needs the AWS Load Balancer Controller on EKS. */
  readonly workloads: WorkloadsChart;
  /** The one Ingress. Needs the AWS Load Balancer Controller on EKS. */
  readonly ingress: IngressChart;
  /** The httpd HPA. Needs the metrics-server. */
  readonly autoscaling: AutoscalingChart;
}

/** Apply order; deletion runs in reverse. */
export const PLATFORM_CHART_ORDER: ReadonlyArray<keyof PlatformCharts> = [
  'namespaces',
  'storage',
  'workloads',
  'ingress',
  'autoscaling',
];

/** Cluster add-ons (installed by the CDK stack) that platform charts need on EKS. */
export enum ClusterAddon {
  /** Provisions the `gp3`/`st1`/`cold` volumes, and deletes them when their claims go. */
  EBS_CSI_DRIVER = 'ebs-csi-driver',
  /**
   * Makes the ALB and NLB, and removes them (finalizers) when the Ingress and the LoadBalancer
   * Service go. While it has no ready pod, its Ingress webhook (failurePolicy Fail) turns away
   * every new Ingress, and its pod webhook (failurePolicy Ignore) lets new pods in `web` in
   * without the readiness gates it would inject.
   */
  LOAD_BALANCER_CONTROLLER = 'aws-load-balancer-controller',
  /** Feeds the HPA its CPU metrics. */
  METRICS_SERVER = 'metrics-server',
  /** Enforces the NetworkPolicies that every chart ships. */
  VPC_CNI = 'vpc-cni',
}

/**
 * What each chart needs on EKS, besides the charts before it. Make each chart's manifest depend on
 * these add-ons: it is then applied after them and, on destroy, deleted before them, so the
 * controllers are still there to delete the EBS volumes and load balancers they made.
 */
export const PLATFORM_CHART_ADDONS: Readonly<
  Record<keyof PlatformCharts, readonly ClusterAddon[]>
> = {
  namespaces: [],
  storage: [ClusterAddon.EBS_CSI_DRIVER],
  workloads: [ClusterAddon.LOAD_BALANCER_CONTROLLER],
  ingress: [ClusterAddon.LOAD_BALANCER_CONTROLLER],
  autoscaling: [ClusterAddon.METRICS_SERVER],
};

export interface PlatformChartsOptions {
  /** Prefix of the chart construct ids, e.g. to create both targets in one App. @default 'platform' */
  readonly idPrefix?: string;
  /**
   * The names deployed claims keep, passed to the storage chart.
   * @default - every claim gets the name this version gives it
   */
  readonly keptClaimNames?: KeptClaimNames;
}

/**
 * Creates every platform chart for `target` under `scope` and returns them by name, in apply order.
 *
 * The charts do not depend on each other inside cdk8s; the order (and the dependencies on the
 * cluster add-ons) is for the caller to express, e.g. with `manifest.node.addDependency(...)`.
 */
export function createPlatformCharts(
  scope: Construct,
  target: PlatformTarget,
  config: PlatformConfig,
  kubernetesVersion: KubernetesMinor,
  options: PlatformChartsOptions = {},
): PlatformCharts {
  const prefix = options.idPrefix ?? 'platform';
  const common = { disableResourceNameHashes: true };
  const charts: PlatformCharts = {
    namespaces: new NamespacesChart(scope, `${prefix}-namespaces`, {
      ...common,
      target,
      kubernetesVersion,
    }),
    storage: new StorageChart(scope, `${prefix}-storage`, {
      ...common,
      target,
      demoVolumeSize: config.demoVolumeSize,
      throughputVolume: config.throughputVolume,
      throughputVolumeSize: config.throughputVolumeSize,
      staticVolumeId: config.staticVolumeId,
      staticVolumeZone: config.staticVolumeZone,
      keptClaimNames: options.keptClaimNames,
    }),
    workloads: new WorkloadsChart(scope, `${prefix}-workloads`, {
      ...common,
      target,
      replicas: config.webReplicas,
      alpineLoadBalancer: config.alpineLoadBalancer,
    }),
    ingress: new IngressChart(scope, `${prefix}-ingress`, { ...common, target }),
    autoscaling: new AutoscalingChart(scope, `${prefix}-autoscaling`, common),
  };
  return charts;
}
