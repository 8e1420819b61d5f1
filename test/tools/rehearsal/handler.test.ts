/**
 * aws-cdk-lib's kubectl handler itself, with the kubectl layer's kubectl, run by the rehearsal
 * against the test plane: a KubernetesResource Create and Delete as CloudFormation sends them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { customResourceEvent, RequestType } from '../../../tools/rehearsal/events';
import { runHandler } from '../../../tools/rehearsal/handler';
import { kubectlLayer } from '../../../tools/setup/kubectl-layer';
import { kubectl } from '../../../tools/testplane/lib/kubectl';
import { withTestPlane } from '../../helpers/with-test-plane';

const PRUNE_LABEL = 'aws.cdk.eks/prune-rehearsal-handler-test';
const MANIFEST = [
  {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'handler-test', labels: { [PRUNE_LABEL]: '' } },
  },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', namespace: 'handler-test', labels: { [PRUNE_LABEL]: '' } },
    data: { replicas: '2' },
  },
];

const event = (requestType: RequestType) =>
  customResourceEvent({
    requestType,
    logicalId: 'TestManifest',
    resourceType: 'Custom::AWSCDK-EKS-KubernetesResource',
    properties: {
      ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:onEvent',
      ClusterName: 'bitcoin-platform',
      Manifest: JSON.stringify(MANIFEST),
      PruneLabel: PRUNE_LABEL,
    },
    requestId: 'create-1',
    ...(requestType === 'Create' ? {} : { physicalId: 'create-1' }),
  });

withTestPlane('the kubectl handler against the plane', (plane) => {
  let workDir: string;
  beforeAll(() => (workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-handler-'))));
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));
  const env = () => ({
    kubeconfig: plane().kubeconfig,
    clusterName: 'bitcoin-platform',
    workDir,
    layer: kubectlLayer(),
  });

  test('Create makes the manifest objects with kubectl create --save-config', async () => {
    const result = await runHandler(event('Create'), env());
    expect(result).toMatchObject({ ok: true });
    expect(result.log).toContain("'kubectl', 'create'");
    const data = await kubectl(plane().kubeconfig, [
      'get',
      'configmap',
      'settings',
      '-n',
      'handler-test',
      '-o',
      'jsonpath={.data.replicas}',
    ]);
    expect(data).toBe('2');
    const annotations = await kubectl(plane().kubeconfig, [
      'get',
      'configmap',
      'settings',
      '-n',
      'handler-test',
      '-o',
      'jsonpath={.metadata.annotations}',
    ]);
    expect(annotations).toContain('kubectl.kubernetes.io/last-applied-configuration');
  }, 60_000);

  test("a second Create of the same objects fails with AlreadyExists, in the handler's own words", async () => {
    const result = await runHandler(event('Create'), env());
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(
      /Error from server \(AlreadyExists\).*namespaces "handler-test" already exists/,
    );
  }, 60_000);

  test('Delete removes the objects', async () => {
    const result = await runHandler(event('Delete'), env());
    expect(result).toMatchObject({ ok: true });
    expect(result.log).toContain("'kubectl', 'delete'");
    await expect(kubectl(plane().kubeconfig, ['get', 'namespace', 'handler-test'])).rejects.toThrow(
      /NotFound/,
    );
  }, 120_000);

  test("a cluster name other than the stack's fails as the AWS CLI would", async () => {
    const wrong = {
      ...event('Create'),
      ResourceProperties: { ...event('Create').ResourceProperties, ClusterName: 'other' },
    };
    const result = await runHandler(wrong, env());
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(
      /'aws', 'eks', 'update-kubeconfig'.*returned non-zero exit status 254/,
    );
    expect(result.log).toContain('No cluster found for name: other.');
  }, 60_000);
});
