import { isOrderedAfter } from '../helpers/graph';
import { synthPlatform } from '../helpers/synth';
import { Resources, platformTemplate } from '../helpers/template';

// Synthesised once for the whole file: a full synth takes seconds.
const { resources, logicalId, dependsOn } = platformTemplate();

describe('Kubernetes charts', () => {
  const manifest = (name: string) =>
    logicalId('Custom::AWSCDK-EKS-KubernetesResource', {}, `chart-${name}`);
  const nodegroup = logicalId('AWS::EKS::Nodegroup');
  const addon = (name: string) => logicalId('AWS::EKS::Addon', { AddonName: name });
  const loadBalancerController = logicalId('Custom::AWSCDK-EKS-HelmChart', {
    Chart: 'aws-load-balancer-controller',
  });

  test.each([
    ['namespaces', []],
    ['storage', ['namespaces']],
    ['workloads', ['storage']],
    ['ingress', ['workloads']],
    ['autoscaling', ['ingress']],
    ['bitcoin-crd', []],
    ['bitcoin-operator', ['bitcoin-crd']],
    ['bitcoin-sample', ['bitcoin-operator']],
  ])('%s is applied after %j and the node group', (name, before) => {
    expect(dependsOn(manifest(name))).toEqual(
      expect.arrayContaining([nodegroup, ...before.map(manifest)]),
    );
  });

  test('objects that make AWS resources are deleted before the controllers that clean them up', () => {
    expect(dependsOn(manifest('storage'))).toContain(addon('aws-ebs-csi-driver'));
    expect(dependsOn(manifest('workloads'))).toContain(loadBalancerController);
    expect(dependsOn(manifest('ingress'))).toContain(loadBalancerController);
    expect(dependsOn(manifest('autoscaling'))).toContain(addon('metrics-server'));
    // Its webhooks admit Ingresses and the pods of labelled namespaces; the CNI enforces every
    // chart's NetworkPolicies.
    for (const name of ['namespaces', 'bitcoin-crd', 'bitcoin-operator', 'bitcoin-sample']) {
      expect(dependsOn(manifest(name))).toContain(loadBalancerController);
      expect(dependsOn(manifest(name))).toContain(addon('vpc-cni'));
    }
  });

  test('the CRD is applied on its own, before any BitcoinNetwork', () => {
    // The objects of each manifest that is plain JSON (the operator chart's refers to the image).
    const objectsOf = (id: string): { kind: string }[] =>
      typeof resources[id].Properties.Manifest === 'string'
        ? JSON.parse(resources[id].Properties.Manifest)
        : [];
    const applying = (kind: string) =>
      Object.keys(resources).filter(
        (id) =>
          resources[id].Type === 'Custom::AWSCDK-EKS-KubernetesResource' &&
          objectsOf(id).some((o) => o.kind === kind),
      );
    const [crd] = applying('CustomResourceDefinition');
    expect(applying('CustomResourceDefinition')).toHaveLength(1);
    expect(objectsOf(crd)).toHaveLength(1);
    const networks = applying('BitcoinNetwork');
    expect(networks).toHaveLength(1);
    expect(isOrderedAfter(resources, networks[0], crd)).toBe(true);
  });

  test('the controller image comes from the ECR asset unless a prebuilt one is configured', () => {
    const operator = JSON.stringify(resources[manifest('bitcoin-operator')].Properties.Manifest);
    expect(operator).toContain('.dkr.ecr.');
    const prebuilt = synthPlatform({ controllerImage: 'ghcr.io/example/bitcoin-controller:1.2.3' });
    const manifests = Object.values(
      prebuilt.findResources('Custom::AWSCDK-EKS-KubernetesResource'),
    );
    expect(JSON.stringify(manifests)).toContain('ghcr.io/example/bitcoin-controller:1.2.3');
  });
});

describe("the hand-over of httpd's replica count to its HPA (releaseHttpdReplicas)", () => {
  const PATCH = 'Custom::AWSCDK-EKS-KubernetesPatch';

  test('is not in the template of a new cluster: the Deployment it patches does not exist yet', () => {
    expect(Object.values(resources).filter((r) => r.Type === PATCH)).toEqual([]);
  });

  describe('when set', () => {
    const template = synthPlatform({ releaseHttpdReplicas: true });
    const all = template.toJSON().Resources as Resources;
    const [[id, patch]] = Object.entries(all).filter(([, r]) => r.Type === PATCH);
    const workloads = Object.keys(all).find(
      (key) =>
        all[key].Type === 'Custom::AWSCDK-EKS-KubernetesResource' &&
        key.startsWith('EksClusterchartworkloads'),
    )!;

    test('patches the httpd Deployment in web before the workloads chart is updated', () => {
      expect(patch.Properties).toMatchObject({
        ResourceName: 'deployment/httpd',
        ResourceNamespace: 'web',
        PatchType: 'merge',
      });
      expect(isOrderedAfter(all, workloads, id)).toBe(true);
    });

    test("replaces the last-applied configuration with one that names no replicas, but the liveness probe's old handler", () => {
      const applied = JSON.parse(patch.Properties.ApplyPatchJson);
      const annotation = JSON.parse(
        applied.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'],
      );
      expect(annotation.metadata).toEqual({ name: 'httpd', namespace: 'web' });
      expect(annotation.spec.replicas).toBeUndefined();
      expect(annotation.spec.template.spec.containers).toEqual([
        { name: 'httpd', livenessProbe: { httpGet: {} } },
      ]);
      // Nothing else of the Deployment changes: only the annotation.
      expect(Object.keys(applied)).toEqual(['metadata']);
      expect(Object.keys(applied.metadata)).toEqual(['annotations']);
    });

    test('is retained on destroy, where its restore patch would find no Deployment', () => {
      expect((patch as { DeletionPolicy?: string }).DeletionPolicy).toBe('Retain');
    });
  });
});
