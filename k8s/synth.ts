/**
 * Renders every chart as plain multi-document YAML, one file per chart, numbered in apply order:
 * `dist/<target>/00-namespaces.yaml`, `01-storage.yaml`, ...
 *
 * It takes a checked {@link AppConfig}; `bin/synth-k8s.ts` (`npm run synth:k8s`) reads it from
 * cdk.json's context and the command line. `kubectl apply -f dist/local/` (or
 * `--dry-run=server`) applies the files in order.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart, Yaml } from 'cdk8s';
import type { AppConfig } from '../config';
import { PlatformTarget } from './common';
import { createOperatorCharts } from './operator';
import { createPlatformCharts } from './platform';

/** Adds one set of charts for `target` to `app`; returns them by name, in apply order. */
export type ChartSource = (
  app: App,
  target: PlatformTarget,
  config: AppConfig,
) => Readonly<Record<string, Chart>>;

/** The platform's charts: workloads, Services, Ingress, storage, autoscaling. */
export const PLATFORM_SOURCE: ChartSource = (app, target, config) => ({
  ...createPlatformCharts(app, target, config.platform, config.infra.kubernetesVersion),
});

/** The operator's charts: CRD, controller and sample network; the same for both targets. */
const OPERATOR_SOURCE: ChartSource = (app, _target, config) => ({
  ...createOperatorCharts(app, {
    image: config.operator.controllerImage ?? LOCAL_CONTROLLER_IMAGE,
    sampleNetworkNodes: config.operator.sampleNetworkNodes,
  }),
});

/** Every chart set, in apply order. Adding a set is one line here. */
export const CHART_SOURCES: readonly ChartSource[] = [PLATFORM_SOURCE, OPERATOR_SOURCE];

/**
 * The controller image when none is configured: build it and load it into the local cluster,
 * e.g. `docker build -f controller/Dockerfile -t bitcoin-controller:dev . && kind load docker-image bitcoin-controller:dev`.
 * On EKS, `cdk deploy` builds and pushes it to ECR instead.
 */
export const LOCAL_CONTROLLER_IMAGE = 'bitcoin-controller:dev';

/** One synthesised chart. */
interface SynthesizedChart {
  /** The chart's name, e.g. `namespaces`. */
  readonly name: string;
  /** `NN-<name>.yaml`, numbered in apply order across all sources. */
  readonly fileName: string;
  /** The Kubernetes objects, resolved. */
  readonly objects: ReadonlyArray<Record<string, unknown>>;
  /** The objects as multi-document YAML. */
  readonly yaml: string;
}

/** Synthesises every chart of `target`, in apply order, without touching the disk. */
export function synthTarget(
  target: PlatformTarget,
  config: AppConfig,
  sources: readonly ChartSource[] = CHART_SOURCES,
): SynthesizedChart[] {
  // Nothing is written: the charts are rendered with toJson(), never app.synth().
  const app = new App();
  const named = sources.flatMap((source) => Object.entries(source(app, target, config)));
  const errors = named.flatMap(([, chart]) =>
    chart.node.findAll().flatMap((c) => c.node.validate().map((e) => `${c.node.path}: ${e}`)),
  );
  if (errors.length) throw new Error(`Validation failed:\n${errors.join('\n')}`);
  return named.map(([name, chart], index) => {
    const objects = chart.toJson() as Array<Record<string, unknown>>;
    return {
      name,
      fileName: `${String(index).padStart(2, '0')}-${name}.yaml`,
      objects,
      yaml: Yaml.stringify(...objects),
    };
  });
}

/** Replaces `<outDir>/<target>/` with one YAML file per chart; returns the paths written. */
export function writeTarget(outDir: string, target: PlatformTarget, config: AppConfig): string[] {
  const charts = synthTarget(target, config);
  const dir = path.join(outDir, target);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return charts.map((chart) => {
    const file = path.join(dir, chart.fileName);
    fs.writeFileSync(file, chart.yaml);
    return file;
  });
}
