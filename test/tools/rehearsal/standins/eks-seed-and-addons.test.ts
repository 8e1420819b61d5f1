import { kubectl, KubectlError } from '../../../../tools/testplane/lib/kubectl';
import {
  createAddon,
  deleteAddon,
  extraVolumeTagsOf,
} from '../../../../tools/rehearsal/standins/addons';
import { EKS_SEED, seedEksCluster } from '../../../../tools/rehearsal/standins/eks-seed';
import { ObjectRef, resourceArg } from '../../../../tools/rehearsal/standins/kube-objects';
import { withTestPlane } from '../../../helpers/with-test-plane';

const ref = (apiVersion: string, kind: string, name: string, namespace?: string): ObjectRef => ({
  apiVersion,
  kind,
  name,
  ...(namespace ? { namespace } : {}),
});
const system = (apiVersion: string, kind: string, name: string) =>
  ref(apiVersion, kind, name, 'kube-system');

const ADDON_OBJECTS: Record<string, ObjectRef[]> = {
  'vpc-cni': [system('apps/v1', 'DaemonSet', 'aws-node')],
  'aws-ebs-csi-driver': [
    ref('storage.k8s.io/v1', 'CSIDriver', 'ebs.csi.aws.com'),
    system('apps/v1', 'Deployment', 'ebs-csi-controller'),
    system('apps/v1', 'DaemonSet', 'ebs-csi-node'),
    system('v1', 'ServiceAccount', 'ebs-csi-controller-sa'),
  ],
  'metrics-server': [
    system('apps/v1', 'Deployment', 'metrics-server'),
    system('v1', 'Service', 'metrics-server'),
    ref('apiregistration.k8s.io/v1', 'APIService', 'v1beta1.metrics.k8s.io'),
  ],
  'eks-pod-identity-agent': [system('apps/v1', 'DaemonSet', 'eks-pod-identity-agent')],
  coredns: [system('apps/v1', 'Deployment', 'coredns'), system('v1', 'Service', 'kube-dns')],
  'kube-proxy': [system('apps/v1', 'DaemonSet', 'kube-proxy')],
};

withTestPlane('EKS seed and add-on stand-ins', (plane) => {
  const get = (target: ObjectRef) =>
    kubectl(plane().kubeconfig, [
      'get',
      resourceArg(target),
      ...(target.namespace ? ['-n', target.namespace] : []),
      '-o',
      'json',
    ]).then((out) => JSON.parse(out));
  const exists = (target: ObjectRef) =>
    get(target).then(
      () => true,
      (err: unknown) => {
        if (err instanceof KubectlError && /NotFound/.test(err.stderr)) return false;
        throw err;
      },
    );

  test('the seed creates gp2 as EKS ships it, not marked default, and kube-system add-ons', async () => {
    await seedEksCluster(plane().kubeconfig);
    const gp2 = await get(ref('storage.k8s.io/v1', 'StorageClass', 'gp2'));
    expect(gp2.provisioner).toBe('kubernetes.io/aws-ebs');
    expect(gp2.volumeBindingMode).toBe('WaitForFirstConsumer');
    expect(
      gp2.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'],
    ).toBeUndefined();
    const dns = await get(system('v1', 'Service', 'kube-dns'));
    expect(dns.spec.clusterIP).toBe('172.20.0.10');
    for (const target of EKS_SEED)
      expect([resourceArg(target), await exists(target)]).toEqual([resourceArg(target), true]);
  });

  test('EKS_SEED names the objects the brief requires', () => {
    const names = EKS_SEED.map((r) => `${r.kind}/${r.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'StorageClass/gp2',
        'Deployment/coredns',
        'Service/kube-dns',
        'DaemonSet/kube-proxy',
        'DaemonSet/aws-node',
        'ServiceAccount/coredns',
        'ServiceAccount/kube-proxy',
        'ServiceAccount/aws-node',
        'ConfigMap/coredns',
        'ConfigMap/kube-proxy',
      ]),
    );
  });

  test.each(Object.entries(ADDON_OBJECTS))('add-on %s creates its objects', async (name, refs) => {
    await createAddon(plane().kubeconfig, name);
    for (const target of refs)
      expect([resourceArg(target), await exists(target)]).toEqual([resourceArg(target), true]);
  });

  test('vpc-cni takes over the seeded aws-node and adds the network policy agent', async () => {
    await createAddon(plane().kubeconfig, 'vpc-cni', '{"enableNetworkPolicy":"true"}');
    const awsNode = await get(system('apps/v1', 'DaemonSet', 'aws-node'));
    const containers = awsNode.spec.template.spec.containers.map((c: any) => c.name);
    expect(containers).toEqual(['aws-node', 'aws-eks-nodeagent']);
  });

  test("an add-on's version is the tag of its images; without one, EKS's default stands in", async () => {
    const images = async (kind: string, name: string) =>
      (await get(system('apps/v1', kind, name))).spec.template.spec.containers.map(
        (c: any) => c.image.split(':')[1],
      );
    await createAddon(plane().kubeconfig, 'coredns', '{"replicaCount":3}', 'v1.13.1-eksbuild.1');
    expect((await get(system('apps/v1', 'Deployment', 'coredns'))).spec.replicas).toBe(3);
    await createAddon(plane().kubeconfig, 'kube-proxy', undefined, 'v1.36.0-eksbuild.2');
    expect(await images('Deployment', 'coredns')).toEqual(['v1.13.1-eksbuild.1']);
    expect(await images('DaemonSet', 'kube-proxy')).toEqual(['v1.36.0-eksbuild.2']);
    await createAddon(plane().kubeconfig, 'coredns');
    expect(await images('Deployment', 'coredns')).toEqual(['stand-in']);
  });

  test('deleting vpc-cni with preserve leaves aws-node running', async () => {
    await deleteAddon(plane().kubeconfig, 'vpc-cni', { preserve: true });
    expect(await exists(system('apps/v1', 'DaemonSet', 'aws-node'))).toBe(true);
  });

  test.each(Object.entries(ADDON_OBJECTS))(
    'deleting add-on %s removes its objects',
    async (name, refs) => {
      await deleteAddon(plane().kubeconfig, name);
      for (const target of refs)
        expect([resourceArg(target), await exists(target)]).toEqual([resourceArg(target), false]);
    },
  );

  test('an unknown add-on is refused with the known names', async () => {
    await expect(createAddon(plane().kubeconfig, 'coredns-plus')).rejects.toThrow(
      'EKS add-on "coredns-plus" has no stand-in; known: aws-ebs-csi-driver, coredns, eks-pod-identity-agent, kube-proxy, metrics-server, vpc-cni',
    );
  });

  test('configurationValues outside the stand-in schema are refused, naming key and value', async () => {
    const k = plane().kubeconfig;
    await expect(createAddon(k, 'vpc-cni', '{"enableNetworkPolicy":"yes"}')).rejects.toThrow(
      'vpc-cni configurationValues enableNetworkPolicy must be one of "true", "false", got "yes"',
    );
    await expect(createAddon(k, 'coredns', '{"replicaCount":0}')).rejects.toThrow(
      'coredns configurationValues replicaCount must be a positive integer, got 0',
    );
    await expect(createAddon(k, 'metrics-server', '{"replicas":2}')).rejects.toThrow(
      'metrics-server configurationValues key "replicas" is not supported (allowed: none)',
    );
    await expect(createAddon(k, 'vpc-cni', 'enableNetworkPolicy=true')).rejects.toThrow(
      'vpc-cni configurationValues must be a JSON object, got enableNetworkPolicy=true',
    );
    await expect(
      createAddon(k, 'aws-ebs-csi-driver', '{"controller":{"extraVolumeTags":{"a":1}}}'),
    ).rejects.toThrow(
      'aws-ebs-csi-driver configurationValues controller must be an object with only extraVolumeTags, a map of strings, got {"extraVolumeTags":{"a":1}}',
    );
  });

  test("the EBS CSI driver's extraVolumeTags are taken and handed back for its controller", async () => {
    const configuration = await createAddon(
      plane().kubeconfig,
      'aws-ebs-csi-driver',
      '{"controller":{"extraVolumeTags":{"team":"platform"}}}',
    );
    expect(extraVolumeTagsOf(configuration)).toEqual({ team: 'platform' });
    await deleteAddon(plane().kubeconfig, 'aws-ebs-csi-driver');
  });
});
