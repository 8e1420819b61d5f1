import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AdmissionStandIn } from '../../../../tools/rehearsal/standins/admission';
import {
  ChartRepository,
  startChartRepository,
} from '../../../../tools/rehearsal/standins/chart-repository';
import { eventually } from '../../../../tools/testplane/lib/eventually';
import { kubectl } from '../../../../tools/testplane/lib/kubectl';
import { createPki, Pki } from '../../../../tools/testplane/lib/pki';
import { withTestPlane } from '../../../helpers/with-test-plane';
import { layerHelm, TemplateRelease, templateReleases } from './helm-releases';

const SYNTH_TIMEOUT_MS = 120_000;
const NAMESPACE = 'web';
const WEBHOOK_REFUSED =
  /failed calling webhook "mservice\.elbv2\.k8s\.aws".*no endpoints available for service "aws-load-balancer-webhook-service"/;

const service = (name: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NAMESPACE },
    spec: { selector: { app: name }, ports: [{ port: 8080 }] },
  });

withTestPlane('the admission stand-in', (plane) => {
  // Its own block, so its afterAll stops the stand-in before the plane goes.
  describe('with the load balancer controller webhooks registered', () => {
    let pki: Pki;
    let repository: ChartRepository;
    let admission: AdmissionStandIn;
    let deployment: string;
    let helm: ReturnType<typeof layerHelm>;
    let releases: TemplateRelease[];
    const k = (args: string[], stdin?: string) => kubectl(plane().kubeconfig, args, stdin);
    const createService = (name: string) => k(['create', '-f', '-'], service(name));

    beforeAll(async () => {
      pki = createPki(fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-ca-')));
      releases = templateReleases();
      const lbc = releases.find((r) => r.chart === 'aws-load-balancer-controller')!;
      repository = await startChartRepository(releases, pki);
      helm = layerHelm(plane().kubeconfig, pki.caCert);
      const rendered = await helm(
        [
          'template',
          lbc.release,
          lbc.chart,
          '--repo',
          repository.url,
          '--version',
          lbc.version,
          '--namespace',
          lbc.namespace,
          '--values',
          '-',
          // The chart's default, which the stack turns off: this suite shows why.
          '--set',
          'enableServiceMutatorWebhook=true',
        ],
        JSON.stringify(lbc.values),
      );
      // The webhooks and their Service without the Deployment, so nothing is behind them yet; the
      // IngressClass List needs the CRD that only helm install puts first.
      const documents = rendered.split(/^---$/m).filter((d) => !/^kind: List$/m.test(d));
      deployment = documents.find((d) => /^kind: Deployment$/m.test(d))!;
      await k(['create', 'serviceaccount', lbc.values.serviceAccount.name, '-n', lbc.namespace]);
      await k(['create', 'namespace', NAMESPACE]);
      await k(['create', '-f', '-'], documents.filter((d) => d !== deployment).join('\n---\n'));
      admission = new AdmissionStandIn(plane().kubeconfig, pki);
      admission.start();
    }, SYNTH_TIMEOUT_MS);
    afterAll(async () => {
      await admission?.stop();
      await repository?.stop();
    });

    test('while the webhook Deployment is missing, the apiserver refuses a new Service', async () => {
      await expect(createService('httpd-service')).rejects.toThrow(WEBHOOK_REFUSED);
      expect(admission.serving()).toEqual([]);
    });

    test('meanwhile a new pod in a namespace labelled for readiness gates is let in, without them (the pod webhook fails open)', async () => {
      await k(['label', 'namespace', NAMESPACE, 'elbv2.k8s.aws/pod-readiness-gate-inject=enabled']);
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'early', namespace: NAMESPACE },
        spec: { containers: [{ name: 'httpd', image: 'httpd:2.4-alpine' }] },
      };
      await k(['create', '-f', '-'], JSON.stringify(pod));
      const created = JSON.parse(await k(['get', 'pod', 'early', '-n', NAMESPACE, '-o', 'json']));
      expect(created.spec.readinessGates).toBeUndefined();
      await k(['delete', 'pod', 'early', '-n', NAMESPACE, '--wait=false']);
    });

    // Why the stack orders the charts after the controller: unordered, this happened on deploy.
    test('meanwhile, installing the cluster-autoscaler chart fails on its Service', async () => {
      const ca = releases.find((r) => r.chart === 'cluster-autoscaler')!;
      const install = ['install', ca.release, ca.chart, '--repo', repository.url];
      const options = ['--version', ca.version, '--namespace', ca.namespace, '--values', '-'];
      await expect(helm([...install, ...options], JSON.stringify(ca.values))).rejects.toThrow(
        WEBHOOK_REFUSED,
      );
      await helm(['uninstall', ca.release, '--namespace', ca.namespace, '--wait']);
    });

    test('once the Deployment is Available the stand-in answers and the same Service is admitted', async () => {
      await k(['create', '-f', '-'], deployment);
      await k([
        'rollout',
        'status',
        'deployment/aws-load-balancer-controller',
        '-n',
        'kube-system',
        '--timeout=60s',
      ]);
      await eventually(() => createService('httpd-service'));
      // One serving endpoint admits; the second replica's server follows a poll later.
      await eventually(async () => expect(admission.serving()).toHaveLength(2));
      for (const address of admission.serving())
        expect(address).toMatch(/^10\.\d+\.\d+\.\d+:9443$/);
    });

    test('scaled to zero, the webhook has no endpoints again and Services are refused', async () => {
      await k([
        'scale',
        'deployment/aws-load-balancer-controller',
        '-n',
        'kube-system',
        '--replicas=0',
      ]);
      await eventually(async () => expect(admission.serving()).toEqual([]));
      await eventually(() =>
        expect(createService('tomcat-service')).rejects.toThrow(WEBHOOK_REFUSED),
      );
    });

    test("with the template's values there is no Service webhook, so the same window admits Services", async () => {
      const lbc = releases.find((r) => r.chart === 'aws-load-balancer-controller')!;
      const rendered = await helm(
        [
          'template',
          lbc.release,
          lbc.chart,
          '--repo',
          repository.url,
          '--version',
          lbc.version,
          '--namespace',
          lbc.namespace,
          '--values',
          '-',
        ],
        JSON.stringify(lbc.values),
      );
      const webhooks = rendered
        .split(/^---$/m)
        .find((d) => /^kind: MutatingWebhookConfiguration$/m.test(d))!;
      await k(['replace', '-f', '-'], webhooks);
      expect(admission.serving()).toEqual([]);
      await createService('alpine-service');
    });
  });
});
