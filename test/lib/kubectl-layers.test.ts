import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { KUBERNETES_MINORS, SUPPORTED_KUBERNETES_MINORS } from '../../config';
import { KUBECTL_LAYERS, kubectlLayer } from '../../lib/kubectl-layers';

describe.each(SUPPORTED_KUBERNETES_MINORS)('the %s kubectl layer', (minor) => {
  test("is the construct of the package the minor's row names", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = Object.values(require(KUBERNETES_MINORS[minor].kubectlLayerPackage));
    expect(exported).toContain(KUBECTL_LAYERS[minor]);
  });

  test('carries kubectl of that minor', () => {
    const stack = new Stack(new App());
    kubectlLayer(stack, 'Layer', minor);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::LayerVersion', {
      Description: Match.stringLikeRegexp(
        `^/opt/kubectl/kubectl ${minor.replace('.', '\\.')}\\.\\d+;`,
      ),
    });
  });
});
