/**
 * How client-side `kubectl apply` (the kubectl handler's Update) treats httpd's replica count on
 * the first deploy after the workloads chart stopped setting it, on a real kube-apiserver: with
 * and without the hand-over patch of k8s/workloads/httpd-replicas-release.ts.
 */
import { chartsOf, find, K8sObject } from '../../helpers/k8s';
import { HTTPD_REPLICAS_RELEASE } from '../../../k8s/workloads/httpd-replicas-release';
import { getJson, kubectl } from '../../../tools/testplane/lib/kubectl';
import { withTestPlane } from '../../helpers/with-test-plane';

const SCALED = 5;

/** httpd as the workloads chart renders it now. */
const current = find(chartsOf('eks').workloads, 'Deployment', 'httpd');

/** httpd as the version before rendered it: `replicas: 2` and the liveness probe on its page. */
function previous(): K8sObject {
  const copy = JSON.parse(JSON.stringify(current)) as K8sObject;
  copy.spec.replicas = 2;
  copy.spec.template.spec.containers[0].livenessProbe = {
    httpGet: { path: '/httpd/', port: 80 },
    initialDelaySeconds: 5,
    periodSeconds: 15,
    failureThreshold: 3,
  };
  return copy;
}

withTestPlane('the hand-over of httpd replicas to its HPA', (plane) => {
  const k = (args: string[], stdin?: string) => kubectl(plane().kubeconfig, args, stdin);
  const httpd = () =>
    getJson<K8sObject>(plane().kubeconfig, ['deployment/httpd', '-n', current.metadata.namespace!]);
  const ns = current.metadata.namespace!;

  beforeAll(() => k(['create', 'namespace', ns]));

  /** The previous version deployed (Create: `kubectl create --save-config`), then scaled by the HPA. */
  async function deployedAndScaled(): Promise<void> {
    await k(['delete', 'deployment', 'httpd', '-n', ns, '--ignore-not-found', '--wait']);
    await k(['create', '--save-config', '-f', '-'], JSON.stringify(previous()));
    await k(['scale', 'deployment/httpd', '-n', ns, `--replicas=${SCALED}`]);
  }
  const apply = () => k(['apply', '-f', '-'], JSON.stringify(current));

  test('without it, the update takes replicas out and the Deployment falls back to 1 (the defect)', async () => {
    await deployedAndScaled();
    await apply();
    expect((await httpd()).spec.replicas).toBe(1);
  });

  test('with it first, the update keeps the HPA count and still replaces the old probe handler', async () => {
    await deployedAndScaled();
    await k([
      'patch',
      HTTPD_REPLICAS_RELEASE.resourceName,
      '-n',
      HTTPD_REPLICAS_RELEASE.resourceNamespace,
      '--type',
      'merge',
      '-p',
      JSON.stringify(HTTPD_REPLICAS_RELEASE.patch),
    ]);
    await apply();
    const live = await httpd();
    expect(live.spec.replicas).toBe(SCALED);
    const probe = live.spec.template.spec.containers[0].livenessProbe;
    expect(probe.httpGet).toBeUndefined();
    expect(probe.tcpSocket).toEqual(
      current.spec.template.spec.containers[0].livenessProbe.tcpSocket,
    );
    // The update wrote the whole new manifest as the last-applied configuration: later updates
    // are plain applies again, and they too leave the count alone.
    const annotation = JSON.parse(
      live.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration'],
    );
    expect(annotation.spec.replicas).toBeUndefined();
    expect(annotation.spec.template.spec.containers[0].image).toBe(
      current.spec.template.spec.containers[0].image,
    );
    await k(['scale', 'deployment/httpd', '-n', ns, '--replicas=7']);
    await apply();
    expect((await httpd()).spec.replicas).toBe(7);
  });

  test('the patch needs the Deployment: on a cluster without httpd it fails, which is why it is opt-in', async () => {
    await k(['delete', 'deployment', 'httpd', '-n', ns, '--wait']);
    await expect(
      k([
        'patch',
        HTTPD_REPLICAS_RELEASE.resourceName,
        '-n',
        ns,
        '--type',
        'merge',
        '-p',
        JSON.stringify(HTTPD_REPLICAS_RELEASE.patch),
      ]),
    ).rejects.toThrow(/NotFound/);
  });
});
