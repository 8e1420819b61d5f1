/**
 * A cluster at the older supported minor: everything tied to the minor follows the config, not
 * the default. (The default's values are checked in cluster, add-ons and chart tests.)
 */
import { Match } from 'aws-cdk-lib/assertions';
import { synthPlatform } from '../helpers/synth';

const template = synthPlatform({ kubernetesVersion: '1.35' });

test('the control plane runs the configured minor', () => {
  template.hasResourceProperties('AWS::EKS::Cluster', { Version: '1.35' });
});

test('the nodes and the add-on versions follow that minor', () => {
  template.hasResourceProperties('AWS::EKS::Nodegroup', { Version: '1.35' });
  template.hasResourceProperties('Custom::EksAddonVersions', { KubernetesVersion: '1.35' });
});

test("the kubectl provider's layer carries kubectl of that minor", () => {
  template.hasResourceProperties('AWS::Lambda::LayerVersion', {
    Description: Match.stringLikeRegexp('^/opt/kubectl/kubectl 1\\.35\\.'),
  });
});

test("the Cluster Autoscaler's image is of that minor", () => {
  const charts = template.findResources('Custom::AWSCDK-EKS-HelmChart', {
    Properties: { Chart: 'cluster-autoscaler' },
  });
  // The values are joined with the region at deploy time: read them as text.
  const values = JSON.stringify(Object.values(charts)[0].Properties.Values);
  expect(values).toMatch(/\\"image\\":\{\\"tag\\":\\"v1\.35\.\d+\\"\}/);
});

test("the namespaces enforce that minor's Pod Security Standards", () => {
  template.hasResourceProperties('Custom::AWSCDK-EKS-KubernetesResource', {
    Manifest: Match.stringLikeRegexp('"pod-security.kubernetes.io/enforce-version":"v1.35"'),
  });
});
