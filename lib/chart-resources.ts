import { CustomResource, RemovalPolicy } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { platformLabels } from '../k8s/common';
import { KUBECTL_PRUNE_KINDS } from './kubectl-prune-kinds';

/** The kinds that make pods: what a chart's policies, accounts and grants must exist before. */
const POD_MAKING_KINDS: ReadonlySet<string> = new Set([
  'CronJob',
  'DaemonSet',
  'Deployment',
  'Job',
  'Pod',
  'ReplicaSet',
  'ReplicationController',
  'StatefulSet',
]);

/** Where a chart's inventory lives when no chart of its set so far has made a namespace. */
export const INVENTORY_NAMESPACE = 'default';

/** The component label of every chart inventory. */
export const INVENTORY_COMPONENT = 'chart-inventory';

/** The inventory ConfigMap of a chart: what the chart renders, by `Kind namespace/name`. */
export const inventoryName = (chart: string): string => `chart-${chart}`;

interface ChartObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name?: string; readonly namespace?: string };
}

export interface ChartResourcesProps {
  /** The cluster whose kubectl provider applies the chart. */
  readonly cluster: eks.Cluster;
  /** The chart's name: `chart-<name>` is its manifest's construct ID in the cluster. */
  readonly name: string;
  /** The synthesised cdk8s chart; every object needs a kind and a fixed name. */
  readonly chart: Chart;
  /**
   * The namespaces the charts applied before this one create. With the chart's own, they are
   * where its objects of kubectl's prune kinds may live.
   * @default - none
   */
  readonly namespacesBefore?: readonly string[];
}

/**
 * Applies a cdk8s chart so that every update removes what the chart no longer renders, whatever
 * its kind. The kubectl provider's Update is `kubectl apply --prune -l <label>`, which deletes
 * only kubectl's built-in prune kinds; those stay in the chart's manifest, and each object of
 * another kind gets a manifest of its own, which CloudFormation deletes, and with it the object,
 * when the chart drops it (docs/decisions.md says why, and what was rejected).
 *
 * An own manifest is created with `kubectl apply` (`overwrite`), so a stack deployed by an
 * earlier version, where the object was part of the chart's manifest, adopts it: same object,
 * same uid. The order keeps what a single manifest guaranteed: a chart's NetworkPolicies,
 * ServiceAccounts, RBAC and other API objects exist before the pods of its workloads (the
 * chart's manifest), in namespaces that exist first, and its custom resources, whose controller
 * makes pods of its own, come last; deletion runs in reverse. A chart without workloads applies
 * its objects beside its manifest, or after it when they live in a namespace it creates.
 */
export class ChartResources extends Construct {
  /**
   * The objects of kubectl's prune kinds and the chart's inventory, updated with
   * `kubectl apply --prune`. Its logical ID is the one every earlier version gave the whole
   * chart, so an upgrade updates it in place.
   */
  readonly manifest: eks.KubernetesManifest;
  /** One manifest per object of any other kind, by `Kind namespace/name`. */
  readonly objects = new Map<string, eks.KubernetesManifest>();
  /** Every resource of the chart: what a later chart waits for. */
  readonly all: readonly IConstruct[];
  /** The namespaces this chart and those before it create: where its inventory lives. */
  readonly namespaces: readonly string[];

  constructor(scope: Construct, id: string, props: ChartResourcesProps) {
    super(scope, id);
    const objects = props.chart.toJson() as ChartObject[];
    const keys = objects.map((o, index) => objectKey(props.name, o, index));
    const duplicate = keys.find((key, index) => keys.indexOf(key) !== index);
    if (duplicate) {
      throw new Error(
        `chart "${props.name}": ${duplicate} is rendered twice; names must be unique`,
      );
    }
    const pruned = objects.filter((o) => KUBECTL_PRUNE_KINDS.has(o.kind));
    this.namespaces = [
      ...new Set([
        ...(props.namespacesBefore ?? []),
        ...pruned.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name!),
      ]),
    ];
    const stray = pruned.find(
      (o) => o.metadata.namespace && !this.namespaces.includes(o.metadata.namespace),
    );
    if (stray) {
      throw new Error(
        `chart "${props.name}": ${keys[objects.indexOf(stray)]} is in a namespace that neither ` +
          `it nor a chart before it creates (${this.namespaces.join(', ') || 'none'}); kubectl ` +
          'prunes only in namespaces the manifest still has objects in, so it could never be removed',
      );
    }
    this.manifest = new eks.KubernetesManifest(props.cluster, `chart-${props.name}`, {
      cluster: props.cluster,
      // An inventory in every namespace the chart may use: kubectl's prune visits only the
      // namespaces of the manifest's objects, so a chart that drops its last object in one
      // still has it pruned.
      manifest: [
        ...pruned,
        ...(this.namespaces.length > 0 ? this.namespaces : [INVENTORY_NAMESPACE]).map((namespace) =>
          inventory(props.name, namespace, keys),
        ),
      ],
      // Created with apply: its namespaces may have been applied ahead (see namespaceFirst).
      overwrite: true,
    });
    const namespaces = new Map<string, eks.KubernetesManifest>();
    const runsPods = objects.some((o) => POD_MAKING_KINDS.has(o.kind));
    const customResources: eks.KubernetesManifest[] = [];
    objects.forEach((object, index) => {
      if (KUBECTL_PRUNE_KINDS.has(object.kind)) return;
      const own = new eks.KubernetesManifest(this, keys[index].replace('/', ':'), {
        cluster: props.cluster,
        manifest: [object],
        // Adopts the object where an earlier version's chart manifest made it.
        overwrite: true,
        // One object: nothing to prune.
        prune: false,
      });
      if (object.kind === 'CustomResourceDefinition') retain(own);
      this.objects.set(keys[index], own);
      if (isCustomResource(object)) {
        customResources.push(own);
        return;
      }
      const namespace = objects.find(
        (o) => o.kind === 'Namespace' && o.metadata.name === object.metadata.namespace,
      );
      if (runsPods) {
        // Before the pods: their namespace comes first, from a resource of its own.
        this.manifest.node.addDependency(own);
        if (namespace) own.node.addDependency(this.namespaceFirst(props, namespace, namespaces));
      } else if (namespace) {
        own.node.addDependency(this.manifest);
      }
      // Otherwise nothing in the chart needs it first: it is applied beside the manifest.
    });
    // After the pods' guards and grants, for the pods their controller makes.
    for (const resource of customResources) {
      resource.node.addDependency(
        this.manifest,
        ...[...this.objects.values()].filter((o) => !customResources.includes(o)),
      );
    }
    this.all = [this.manifest, ...namespaces.values(), ...this.objects.values()];
  }

  /**
   * The chart's namespace, created ahead of its manifest for the objects that must exist before
   * the workloads in it. Retained: the chart's manifest owns the namespace (deletes it, prunes
   * it), and a rollback of the deploy that made this resource must not delete a namespace that
   * was already there.
   */
  private namespaceFirst(
    props: ChartResourcesProps,
    namespace: ChartObject,
    made: Map<string, eks.KubernetesManifest>,
  ): eks.KubernetesManifest {
    const name = namespace.metadata.name!;
    let first = made.get(name);
    if (!first) {
      first = new eks.KubernetesManifest(this, `Namespace:${name}`, {
        cluster: props.cluster,
        manifest: [namespace],
        overwrite: true,
        prune: false,
      });
      retain(first);
      made.set(name, first);
    }
    return first;
  }
}

/**
 * CloudFormation never deletes the resource, so its Delete never deletes the object. For a
 * CustomResourceDefinition: deleting one deletes every custom resource of its kind in the
 * cluster, those no chart made included, and a rollback of the deploy that adopted it would.
 */
function retain(manifest: eks.KubernetesManifest): void {
  (manifest.node.defaultChild as CustomResource).applyRemovalPolicy(RemovalPolicy.RETAIN);
}

/** Kubernetes' own API groups: the core group and the unqualified or `*.k8s.io` ones. */
function isCustomResource(o: ChartObject): boolean {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  return group.includes('.') && !group.endsWith('.k8s.io');
}

/** `Kind namespace/name`, or `Kind name` when cluster-scoped; only objects with a fixed name. */
function objectKey(chart: string, o: ChartObject, index: number): string {
  if (!o.kind || !o.metadata?.name) {
    throw new Error(
      `chart "${chart}": object ${index} (${o.kind ?? 'no kind'}) has no ${o.kind ? 'metadata.name' : 'kind'}; ` +
        'every object needs a kind and a fixed name to be updated and deleted',
    );
  }
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

/**
 * What the chart renders, one `Kind namespace/name` a line: for whoever asks the cluster what a
 * chart owns. It also keeps the chart's manifest from ever being empty (kubectl refuses to apply
 * nothing), for a chart whose every object has a manifest of its own.
 */
function inventory(
  chart: string,
  namespace: string,
  keys: readonly string[],
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: inventoryName(chart),
      namespace,
      labels: platformLabels(INVENTORY_COMPONENT),
    },
    data: { objects: [...keys].sort().join('\n') },
  };
}
