import { DescribeAddonVersionsCommand, EKSClient } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { handlerUnderTest } from '../helpers/custom-resource-handler';

const eks = mockClient(EKSClient);
const ADDONS = { coredns: 'coredns', kubeproxy: 'kube-proxy' };
const { handler, event, answer, answers } = handlerUnderTest('addon-versions', {
  logicalId: 'AddonVersions',
  type: 'Custom::EksAddonVersions',
  properties: { ClusterName: 'bitcoin-platform', KubernetesVersion: '1.36', Addons: ADDONS },
});

beforeEach(() => eks.reset());

/** One version of an add-on, compatible with these cluster minors, default on some of them. */
function version(addonVersion: string, minors: string[], defaultOn: string[] = []) {
  return {
    addonVersion,
    compatibilities: minors.map((clusterVersion) => ({
      clusterVersion,
      defaultVersion: defaultOn.includes(clusterVersion),
    })),
  };
}

const page = (addonName: string, ...addonVersions: object[]) => ({
  addons: [{ addonName, addonVersions }],
});

describe('Custom::EksAddonVersions handler', () => {
  test('on Create, returns the version EKS names as default for the minor, for each add-on', async () => {
    eks
      .on(DescribeAddonVersionsCommand, { addonName: 'coredns' })
      .resolves(
        page(
          'coredns',
          version('v1.14.4-eksbuild.1', ['1.36']),
          version('v1.14.3-eksbuild.3', ['1.35', '1.36'], ['1.35', '1.36']),
        ),
      )
      .on(DescribeAddonVersionsCommand, { addonName: 'kube-proxy' })
      .resolves(page('kube-proxy', version('v1.36.3-eksbuild.2', ['1.36'], ['1.36'])));
    await handler(event('Create'));
    expect(answer()).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'eks-addon-versions',
      RequestId: 'request-1',
      LogicalResourceId: 'AddonVersions',
      Data: { coredns: 'v1.14.3-eksbuild.3', kubeproxy: 'v1.36.3-eksbuild.2' },
      Reason: 'Kubernetes 1.36: coredns v1.14.3-eksbuild.3, kube-proxy v1.36.3-eksbuild.2',
    });
    const inputs = eks.commandCalls(DescribeAddonVersionsCommand).map((call) => call.args[0].input);
    expect(inputs).toEqual([
      { addonName: 'coredns', kubernetesVersion: '1.36', nextToken: undefined },
      { addonName: 'kube-proxy', kubernetesVersion: '1.36', nextToken: undefined },
    ]);
  });

  test('on Update (a new minor), looks up again and keeps its physical id', async () => {
    eks
      .on(DescribeAddonVersionsCommand)
      .resolves(page('any', version('v9.0.0-eksbuild.1', ['1.36'], ['1.36'])));
    await handler(event('Update', { PhysicalResourceId: 'earlier-id' }));
    expect(answer()).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'earlier-id',
      Data: { coredns: 'v9.0.0-eksbuild.1', kubeproxy: 'v9.0.0-eksbuild.1' },
    });
  });

  test("a version that is default only for another minor is not this minor's default", async () => {
    eks
      .on(DescribeAddonVersionsCommand)
      .resolves(
        page(
          'any',
          version('v2.0.0-eksbuild.1', ['1.35', '1.36'], ['1.35']),
          version('v1.0.0-eksbuild.1', ['1.36'], ['1.36']),
        ),
      );
    await handler(event('Create'));
    expect(answer().Data).toEqual({ coredns: 'v1.0.0-eksbuild.1', kubeproxy: 'v1.0.0-eksbuild.1' });
  });

  test('reads every page', async () => {
    eks
      .on(DescribeAddonVersionsCommand, { addonName: 'coredns', nextToken: undefined })
      .resolves({ ...page('coredns', version('v1.0.0-eksbuild.1', ['1.36'])), nextToken: 'p2' })
      .on(DescribeAddonVersionsCommand, { addonName: 'coredns', nextToken: 'p2' })
      .resolves(page('coredns', version('v1.1.0-eksbuild.1', ['1.36'], ['1.36'])))
      .on(DescribeAddonVersionsCommand, { addonName: 'kube-proxy' })
      .resolves(page('kube-proxy', version('v1.36.3-eksbuild.2', ['1.36'], ['1.36'])));
    await handler(event('Create'));
    expect(answer().Data).toEqual({
      coredns: 'v1.1.0-eksbuild.1',
      kubeproxy: 'v1.36.3-eksbuild.2',
    });
  });

  test('without a default, takes the newest compatible version and says so', async () => {
    eks
      .on(DescribeAddonVersionsCommand)
      .resolves(
        page(
          'any',
          version('v0.8.0-eksbuild.2', ['1.36']),
          version('v0.10.1-eksbuild.1', ['1.36']),
          version('v0.9.9-eksbuild.7', ['1.36']),
          version('v0.11.0-eksbuild.1', ['1.35']),
        ),
      );
    await handler(event('Create'));
    expect(answer()).toMatchObject({
      Status: 'SUCCESS',
      Data: { coredns: 'v0.10.1-eksbuild.1', kubeproxy: 'v0.10.1-eksbuild.1' },
      Reason: expect.stringContaining('coredns v0.10.1-eksbuild.1 (newest; EKS names no default)'),
    });
  });

  test('fails, naming the add-on and the minor, when EKS offers no version for the minor', async () => {
    eks
      .on(DescribeAddonVersionsCommand)
      .resolves(page('any', version('v1.0.0-eksbuild.1', ['1.35'], ['1.35'])));
    await handler(event('Create'));
    expect(answer()).toMatchObject({
      Status: 'FAILED',
      Reason: 'EKS offers no version of coredns for Kubernetes 1.36',
    });
  });

  test('reports a DescribeAddonVersions error to CloudFormation instead of throwing', async () => {
    eks
      .on(DescribeAddonVersionsCommand)
      .rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    await expect(handler(event('Create'))).resolves.toBeUndefined();
    expect(answer()).toMatchObject({
      Status: 'FAILED',
      Reason: 'DescribeAddonVersions failed: AccessDeniedException: not allowed',
    });
  });

  test('does nothing on Delete', async () => {
    await handler(event('Delete', { PhysicalResourceId: 'eks-addon-versions' }));
    expect(eks.calls()).toHaveLength(0);
    expect(answer()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'eks-addon-versions' });
  });

  test('answers with an empty content type, which the pre-signed URL is signed for', async () => {
    await handler(event('Delete'));
    expect(answers[0].contentType).toBe('');
  });
});
