import { RemovalPolicy } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { App as Cdk8sApp, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { AppConfig } from '../config';
import { ChartResources } from './chart-resources';
import { apiServerAddresses } from '../k8s/api-server';
import { HTTPD_REPLICAS_RELEASE } from '../k8s/workloads/httpd-replicas-release';
import { createOperatorCharts } from '../k8s/operator';
import { ClusterAddon, PLATFORM_CHART_ADDONS, createPlatformCharts } from '../k8s/platform';
import type { KeptClaimNames } from '../k8s/storage-chart';

export interface ClusterChartsProps {
  /** The cluster the charts are applied to, through its kubectl provider. */
  readonly cluster: eks.Cluster;
  /** The app's config: the platform and operator settings, the cluster's minor and VPC CIDR. */
  readonly config: AppConfig;
  /** The controller image: the ECR asset, or the configured prebuilt image. */
  readonly controllerImage: string;
  /** Every chart needs running nodes, and must be deleted while they still run. */
  readonly nodes: IConstruct;
  /** The add-ons charts may need, by kind. */
  readonly addons: Record<ClusterAddon, IConstruct>;
  /**
   * Waits on destroy until the volumes of deleted claims are gone. Any chart can own claims: the
   * storage chart's, those of a namespace it deletes, and, through the CRD, every BitcoinNetwork's.
   */
  readonly volumesReleased: IConstruct;
  /**
   * The names deployed claims keep (see `keptClaimNames`).
   * @default - every claim gets the name this version gives it
   */
  readonly keptClaimNames?: KeptClaimNames;
}

/**
 * Applies every cdk8s chart to the cluster through the kubectl provider, each as
 * {@link ChartResources}: so that an update removes what a chart dropped, whatever its kind.
 *
 * Each chart's resources depend on those of the chart before it in its set (so charts are applied
 * in order and deleted in reverse) and on the add-ons whose AWS resources its objects create. CloudFormation
 * therefore deletes Ingresses, LoadBalancer Services and PVCs while the controllers that clean
 * up their load balancers and volumes are still running.
 */
export class ClusterCharts extends Construct {
  /** What applies each chart, by chart name, in apply order within each set. */
  readonly charts: Record<string, ChartResources> = {};

  constructor(scope: Construct, id: string, props: ClusterChartsProps) {
    super(scope, id);
    const app = new Cdk8sApp();
    const platform = createPlatformCharts(
      app,
      'eks',
      props.config.platform,
      props.config.infra.kubernetesVersion,
      { keptClaimNames: props.keptClaimNames },
    );
    const operator = createOperatorCharts(app, {
      image: props.controllerImage,
      sampleNetworkNodes: props.config.operator.sampleNetworkNodes,
      controllerNamespaces: props.config.operator.controllerNamespaces,
      apiServer: apiServerAddresses('eks', props.config.infra.vpcCidr),
    });

    // The Load Balancer Controller's webhooks must be serving before an Ingress is created (or it
    // is turned away) or a pod in `web` (or it starts without its readiness gates), and every
    // chart's NetworkPolicies must be enforced from the start, so no chart goes before either;
    // platform charts also wait for the add-ons that manage their AWS resources.
    const needs = (name: string): IConstruct[] => [
      props.addons[ClusterAddon.LOAD_BALANCER_CONTROLLER],
      props.addons[ClusterAddon.VPC_CNI],
      ...(PLATFORM_CHART_ADDONS[name as keyof typeof PLATFORM_CHART_ADDONS] ?? []).map(
        (addon) => props.addons[addon],
      ),
    ];
    for (const set of [platform, operator]) {
      let previous: readonly IConstruct[] = [];
      let namespacesBefore: readonly string[] = [];
      for (const [name, chart] of Object.entries<Chart>({ ...set })) {
        const resources = new ChartResources(this, name, {
          cluster: props.cluster,
          name,
          chart,
          namespacesBefore,
        });
        namespacesBefore = resources.namespaces;
        for (const resource of resources.all) {
          resource.node.addDependency(
            props.nodes,
            props.volumesReleased,
            ...needs(name),
            ...previous,
          );
        }
        this.charts[name] = resources;
        previous = resources.all;
      }
    }
    if (props.config.platform.releaseHttpdReplicas) {
      this.releaseHttpdReplicas(props.cluster, this.charts.workloads.manifest, needs('workloads'));
    }
  }

  /**
   * The patch that hands httpd's replica count to its HPA, just before the workloads chart's
   * update (k8s/workloads/httpd-replicas-release.ts says why). Retained: its restore patch would
   * run on destroy after the Deployment is gone, and fail.
   */
  private releaseHttpdReplicas(
    cluster: eks.Cluster,
    workloads: eks.KubernetesManifest,
    needs: IConstruct[],
  ): void {
    const release = new eks.KubernetesPatch(this, 'HttpdReplicasRelease', {
      cluster,
      resourceName: HTTPD_REPLICAS_RELEASE.resourceName,
      resourceNamespace: HTTPD_REPLICAS_RELEASE.resourceNamespace,
      applyPatch: HTTPD_REPLICAS_RELEASE.patch,
      restorePatch: {},
      patchType: eks.PatchType.MERGE,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    release.node.addDependency(...needs);
    workloads.node.addDependency(release);
  }
}
