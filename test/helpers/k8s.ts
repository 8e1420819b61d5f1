/** Shared helpers of the chart tests: synthesise a target and look objects up. */
import { AppConfig, loadConfig } from '../../config';
import { PlatformTarget } from '../../k8s/common';
import { PLATFORM_SOURCE, synthTarget } from '../../k8s/synth';

export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly spec?: any;
  readonly [key: string]: any;
}

/** The configuration with `overrides` in place of cdk.json context. */
export function config(overrides: Record<string, unknown> = {}): AppConfig {
  return loadConfig((key) => overrides[key]);
}

/** Every opt-in feature on, so the snapshots and assertions see the optional objects too. */
export const EVERYTHING = {
  alpineLoadBalancer: true,
  throughputVolume: 'st1',
  staticVolumeId: 'vol-0123456789abcdef0',
  controllerNamespaces: ['team-a'],
  staticVolumeZone: 'eu-west-1a',
};

/** The objects of each platform chart of `target`, by chart name, in apply order. */
export function chartsOf(
  target: PlatformTarget,
  overrides: Record<string, unknown> = {},
): Record<string, K8sObject[]> {
  return Object.fromEntries(
    synthTarget(target, config(overrides), [PLATFORM_SOURCE]).map((c) => [
      c.name,
      c.objects as K8sObject[],
    ]),
  );
}

/** Every object of the platform charts of `target`, in apply order. */
export function objectsOf(
  target: PlatformTarget,
  overrides: Record<string, unknown> = {},
): K8sObject[] {
  return Object.values(chartsOf(target, overrides)).flat();
}

/** The one object of that kind and name; fails the test when there is none. */
export function find(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one ${kind} "${name}", found ${found.length}`);
  }
  return found[0];
}

export function ofKind(objects: readonly K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

/** Workloads with a pod template, with their pod spec. */
export function podTemplates(
  objects: readonly K8sObject[],
): Array<{ readonly owner: string; readonly labels: Record<string, string>; readonly spec: any }> {
  return objects
    .filter((o) => o.spec?.template?.spec)
    .map((o) => ({
      owner: `${o.kind}/${o.metadata.name}`,
      labels: o.spec.template.metadata?.labels ?? {},
      spec: o.spec.template.spec,
    }));
}

/** Every container (init containers included) of every pod template, named by its owner. */
export function containers(objects: readonly K8sObject[]): Array<{ owner: string; c: any }> {
  return podTemplates(objects).flatMap((t) =>
    [...(t.spec.initContainers ?? []), ...t.spec.containers].map((c: any) => ({
      owner: `${t.owner}/${c.name}`,
      c,
    })),
  );
}

/** True when every label of `selector` is on `labels` with the same value. */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export const TARGETS: readonly PlatformTarget[] = ['eks', 'local'];
