import { isOrderedAfter } from '../helpers/graph';
import { Resources } from '../helpers/template';
import { platformTemplate } from '../helpers/template';

// Synthesised once for the whole file: a full synth takes seconds.
const { resources, logicalId } = platformTemplate();

/**
 * Whether each add-on installs a Service or an Ingress, as its chart or EKS add-on does today. A new
 * add-on fails the test below until it is listed here.
 */
const ADDON_CREATES_SERVICE: Record<string, boolean> = {
  'cluster-autoscaler': true, // its metrics Service
  'metrics-server': true, // the Service behind the metrics API
  'aws-ebs-csi-driver': true, // its controller's metrics Service, when metrics are on
  'vpc-cni': false,
  coredns: true, // kube-dns
  'kube-proxy': false,
  'eks-pod-identity-agent': false,
};
const LOAD_BALANCER_CONTROLLER = 'aws-load-balancer-controller';

/** The kinds of the objects in a manifest resource, read through its Fn::Join if it has one. */
function manifestKinds(manifest: unknown): string[] {
  const text =
    typeof manifest === 'string'
      ? manifest
      : (manifest as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
          .map((part) => (typeof part === 'string' ? part : 'TOKEN'))
          .join('');
  return (JSON.parse(text) as { kind: string }[]).map((object) => object.kind);
}

function addonName(resource: Resources[string]): string {
  return resource.Type === 'AWS::EKS::Addon'
    ? resource.Properties.AddonName
    : resource.Properties.Chart;
}

describe('admission by the AWS Load Balancer Controller', () => {
  const controller = logicalId('Custom::AWSCDK-EKS-HelmChart', { Chart: LOAD_BALANCER_CONTROLLER });

  test('its Service mutator is off: nothing needs it, and it would refuse Services while the controller starts', () => {
    const values = JSON.stringify(resources[controller].Properties.Values);
    expect(values).toContain('\\"enableServiceMutatorWebhook\\":false');
  });

  test('every manifest with a Service or an Ingress is applied after the controller', () => {
    const manifests = Object.entries(resources).filter(
      ([, r]) =>
        r.Type === 'Custom::AWSCDK-EKS-KubernetesResource' &&
        manifestKinds(r.Properties.Manifest).some(
          (kind) => kind === 'Service' || kind === 'Ingress',
        ),
    );
    expect(manifests.length).toBeGreaterThan(0);
    for (const [id] of manifests)
      expect([id, isOrderedAfter(resources, id, controller)]).toEqual([id, true]);
  });

  test('every add-on that creates a Service is installed after the controller', () => {
    const addons = Object.entries(resources).filter(
      ([id, r]) =>
        (r.Type === 'AWS::EKS::Addon' || r.Type === 'Custom::AWSCDK-EKS-HelmChart') &&
        id !== controller,
    );
    for (const [id, resource] of addons) {
      const name = addonName(resource);
      expect(Object.keys(ADDON_CREATES_SERVICE)).toContain(name);
      if (ADDON_CREATES_SERVICE[name]) {
        expect([name, isOrderedAfter(resources, id, controller)]).toEqual([name, true]);
      }
    }
  });
});
