/** Templates the rehearsal suite deploys besides the synthesised one. */
import { DEFAULT_KUBERNETES_MINOR } from '../../config/kubernetes-minors';
import { Intrinsics } from '../../tools/rehearsal/intrinsics';
import type { CfnTemplate, TemplateResource } from '../../tools/rehearsal/template';

interface Dropped {
  /** The manifest resource it is dropped from, by logical ID prefix. */
  readonly chart: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** As the rehearsal's checks name it. */
  readonly key: string;
  /** Whether kubectl's default prune allow-list has its kind. */
  readonly pruned: boolean;
}

/** One object of each kind worth knowing about, as if a chart no longer had it. */
export const DROPPED: readonly Dropped[] = [
  {
    chart: 'EksClusterchartworkloads',
    kind: 'Deployment',
    namespace: 'web',
    name: 'alpine',
    key: 'apps/Deployment web/alpine',
    pruned: true,
  },
  {
    chart: 'EksClusterchartworkloads',
    kind: 'NetworkPolicy',
    namespace: 'web',
    name: 'allow-alpine-http',
    key: 'networking.k8s.io/NetworkPolicy web/allow-alpine-http',
    pruned: false,
  },
  {
    chart: 'EksClusterchartstorage',
    kind: 'StorageClass',
    name: 'cold',
    key: 'storage.k8s.io/StorageClass cold',
    pruned: false,
  },
  {
    chart: 'EksClusterchartbitcoinoperator',
    kind: 'PodDisruptionBudget',
    namespace: 'bitcoin-controller',
    name: 'bitcoin-controller',
    key: 'policy/PodDisruptionBudget bitcoin-controller/bitcoin-controller',
    pruned: false,
  },
  {
    chart: 'EksClusterchartbitcoinoperator',
    kind: 'RoleBinding',
    namespace: 'bitcoin-controller',
    name: 'bitcoin-controller',
    key: 'rbac.authorization.k8s.io/RoleBinding bitcoin-controller/bitcoin-controller',
    pruned: false,
  },
];

interface ManifestObject {
  kind: string;
  metadata: { name: string; namespace?: string };
}

/** The template with the DROPPED objects taken out of their manifests (resolved to text). */
export function dropObjects(template: CfnTemplate): CfnTemplate {
  const intrinsics = new Intrinsics(template);
  const resources: Record<string, TemplateResource> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    const drops = DROPPED.filter((d) => id.startsWith(d.chart));
    if (drops.length === 0) {
      resources[id] = resource;
      continue;
    }
    const objects = JSON.parse(
      String(intrinsics.resolve(resource.Properties!.Manifest, id)),
    ) as ManifestObject[];
    const kept = objects.filter(
      (o) =>
        !drops.some(
          (d) =>
            d.kind === o.kind && d.name === o.metadata.name && d.namespace === o.metadata.namespace,
        ),
    );
    if (kept.length !== objects.length - drops.length)
      throw new Error(`${id}: not every object to drop was there`);
    resources[id] = {
      ...resource,
      Properties: { ...resource.Properties, Manifest: JSON.stringify(kept) },
    };
  }
  return { ...template, Resources: resources };
}

/** A stack of the cluster and one manifest resource of the kubectl provider. */
export function manifestTemplate(manifest: readonly object[]): CfnTemplate {
  return {
    Resources: {
      Cluster: { Type: 'AWS::EKS::Cluster', Properties: { Name: 'bitcoin-platform' } },
      // What the provider's Lambda runs kubectl and helm from.
      KubectlLayer: {
        Type: 'AWS::Lambda::LayerVersion',
        Properties: { Description: `/opt/kubectl/kubectl ${DEFAULT_KUBERNETES_MINOR}.0` },
      },
      Provider: { Type: 'AWS::Lambda::Function' },
      Manifest: {
        Type: 'Custom::AWSCDK-EKS-KubernetesResource',
        Properties: {
          ServiceToken: { 'Fn::GetAtt': ['Provider', 'Arn'] },
          ClusterName: { Ref: 'Cluster' },
          Manifest: JSON.stringify(manifest),
        },
      },
    },
  };
}

/** The BitcoinNetwork with persistent storage that {@link withStoredNetwork} adds. */
export const STORED_NETWORK = {
  name: 'stored',
  namespace: 'bitcoin',
  storage: { size: '1Gi', storageClassName: 'gp3' },
};

/**
 * The template with a second BitcoinNetwork, one with persistent storage, in the sample chart's
 * manifest: its StatefulSet's claims are what the EBS CSI driver must provision and, on destroy,
 * delete before it goes.
 */
export function withStoredNetwork(template: CfnTemplate): CfnTemplate {
  const intrinsics = new Intrinsics(template);
  const [id, resource] = Object.entries(template.Resources).find(([key]) =>
    key.startsWith('EksClusterchartbitcoinsample'),
  )!;
  const objects = JSON.parse(
    String(intrinsics.resolve(resource.Properties!.Manifest, id)),
  ) as Array<
    ManifestObject & { apiVersion: string; metadata: { labels?: Record<string, string> } }
  >;
  const sample = objects.find((o) => o.kind === 'BitcoinNetwork')!;
  const stored = {
    apiVersion: sample.apiVersion,
    kind: 'BitcoinNetwork',
    metadata: {
      ...sample.metadata,
      name: STORED_NETWORK.name,
      namespace: STORED_NETWORK.namespace,
    },
    spec: { nodes: 2, storage: STORED_NETWORK.storage },
  };
  return {
    ...template,
    Resources: {
      ...template.Resources,
      [id]: {
        ...resource,
        Properties: { ...resource.Properties, Manifest: JSON.stringify([...objects, stored]) },
      },
    },
  };
}

/**
 * The template with `spec.replicas` on the httpd Deployment, as the versions before the HPA owned
 * its count rendered it: the previous template of the hand-over rehearsal.
 */
export function withHttpdReplicas(template: CfnTemplate, replicas: number): CfnTemplate {
  const intrinsics = new Intrinsics(template);
  const [id, resource] = Object.entries(template.Resources).find(([key]) =>
    key.startsWith('EksClusterchartworkloads'),
  )!;
  const objects = JSON.parse(
    String(intrinsics.resolve(resource.Properties!.Manifest, id)),
  ) as Array<ManifestObject & { spec: Record<string, unknown> }>;
  const httpd = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'httpd')!;
  httpd.spec = { replicas, ...httpd.spec };
  return {
    ...template,
    Resources: {
      ...template.Resources,
      [id]: {
        ...resource,
        Properties: { ...resource.Properties, Manifest: JSON.stringify(objects) },
      },
    },
  };
}
