import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { KubectlV36Layer } from '@aws-cdk/lambda-layer-kubectl-v36';
import type { LayerVersion } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { KubernetesMinor } from '../config';

type KubectlLayerClass = new (scope: Construct, id: string) => LayerVersion;

/**
 * The layer construct of each row's `kubectlLayerPackage` (config/kubernetes-minors.ts). A static
 * import per package, so the compiler asks for one when a minor is added; a test checks that each
 * class comes from the package its row names.
 */
export const KUBECTL_LAYERS: Readonly<Record<KubernetesMinor, KubectlLayerClass>> = {
  '1.35': KubectlV35Layer,
  '1.36': KubectlV36Layer,
};

/** kubectl and helm of `minor`, as a Lambda layer for the kubectl provider. */
export function kubectlLayer(scope: Construct, id: string, minor: KubernetesMinor): LayerVersion {
  return new KUBECTL_LAYERS[minor](scope, id);
}
