import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { App as Cdk8sApp, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { AppConfig } from './config';
import { createOperatorCharts } from '../k8s/operator';
import { createPlatformCharts } from '../k8s/platform';

export interface ClusterChartsProps {
  readonly cluster: eks.Cluster;
  readonly config: AppConfig;
  /** The controller image: the ECR asset, or the configured prebuilt image. */
  readonly controllerImage: string;
  /** Every chart needs running nodes, and must be deleted while they still run. */
  readonly nodes: IConstruct;
  /** Provisions and deletes the EBS volumes of the storage chart's PVCs. */
  readonly ebsCsiDriver: IConstruct;
  /** Creates and deletes the load balancers of Ingresses and LoadBalancer Services. */
  readonly loadBalancerController: IConstruct;
  /** Serves the resource metrics the HorizontalPodAutoscaler reads. */
  readonly metricsServer: IConstruct;
}

/**
 * Applies every cdk8s chart to the cluster through the kubectl provider, one manifest per chart.
 *
 * Each manifest depends on the one before it in its set (so they are applied in order and
 * deleted in reverse) and on the add-ons whose AWS resources its objects create. CloudFormation
 * therefore deletes Ingresses, LoadBalancer Services and PVCs while the controllers that clean
 * up their load balancers and volumes are still running.
 */
export class ClusterCharts extends Construct {
  /** The manifests by chart name, in apply order within each set. */
  readonly manifests: Record<string, eks.KubernetesManifest> = {};

  constructor(scope: Construct, id: string, props: ClusterChartsProps) {
    super(scope, id);
    const app = new Cdk8sApp();
    const platform = createPlatformCharts(app, 'eks', props.config.platform);
    const operator = createOperatorCharts(app, {
      image: props.controllerImage,
      sampleNetworkNodes: props.config.operator.sampleNetworkNodes,
    });

    const needs: Record<string, IConstruct[]> = {
      storage: [props.ebsCsiDriver],
      workloads: [props.loadBalancerController],
      ingress: [props.loadBalancerController],
      autoscaling: [props.metricsServer],
    };
    for (const set of [platform, operator]) {
      let previous: eks.KubernetesManifest | undefined;
      for (const [name, chart] of Object.entries<Chart>({ ...set })) {
        const manifest = props.cluster.addCdk8sChart(`chart-${name}`, chart);
        manifest.node.addDependency(props.nodes, ...(needs[name] ?? []));
        if (previous) manifest.node.addDependency(previous);
        this.manifests[name] = manifest;
        previous = manifest;
      }
    }
  }
}
