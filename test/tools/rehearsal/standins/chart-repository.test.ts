import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  startChartRepository,
  ChartRepository,
} from '../../../../tools/rehearsal/standins/chart-repository';
import { parseAllDocuments } from 'yaml';
import { getJson, kubectl } from '../../../../tools/testplane/lib/kubectl';
import { createPki, Pki } from '../../../../tools/testplane/lib/pki';
import { withTestPlane } from '../../../helpers/with-test-plane';
import { layerHelm, TemplateRelease, templateReleases } from './helm-releases';

const SYNTH_TIMEOUT_MS = 120_000;

withTestPlane('the stand-in chart repository', (plane) => {
  let pki: Pki;
  let releases: TemplateRelease[];
  let repository: ChartRepository;
  let helm: ReturnType<typeof layerHelm>;
  const release = (chart: string) => releases.find((r) => r.chart === chart)!;
  const get = (args: string[]) => getJson<any>(plane().kubeconfig, args);

  const install = (r: TemplateRelease) =>
    helm(
      [
        'install',
        r.release,
        r.chart,
        '--repo',
        repository.url,
        '--version',
        r.version,
        '--namespace',
        r.namespace,
        '--create-namespace',
        '--values',
        '-',
        '--wait',
        '--timeout',
        '120s',
      ],
      JSON.stringify(r.values),
    );

  beforeAll(async () => {
    pki = createPki(fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-ca-')));
    releases = templateReleases();
    repository = await startChartRepository(releases, pki);
    helm = layerHelm(plane().kubeconfig, pki.caCert);
  }, SYNTH_TIMEOUT_MS);
  afterAll(() => repository?.stop());

  test('the template installs exactly the two charts that have stand-ins', () => {
    expect(releases.map((r) => `${r.chart} ${r.version}`).sort()).toEqual([
      'aws-load-balancer-controller 3.2.2',
      'cluster-autoscaler 9.59.0',
    ]);
  });

  test('a release without a stand-in chart is refused, naming it and the stand-ins', async () => {
    await expect(
      startChartRepository([{ chart: 'aws-load-balancer-controller', version: '3.3.0' }], pki),
    ).rejects.toThrow(
      'no stand-in chart for aws-load-balancer-controller 3.3.0; stand-ins: aws-load-balancer-controller 3.2.2, cluster-autoscaler 9.59.0',
    );
  });

  test('helm install --wait installs the cluster-autoscaler stand-in with the template values', async () => {
    const r = release('cluster-autoscaler');
    await install(r);
    const deployment = await get([
      'deployment',
      'cluster-autoscaler-aws-cluster-autoscaler',
      '-n',
      'kube-system',
    ]);
    expect(deployment.status.availableReplicas).toBe(1);
    expect(deployment.spec.template.spec.serviceAccountName).toBe('cluster-autoscaler');
    expect(deployment.spec.template.spec.containers[0].args).toEqual(
      expect.arrayContaining([
        '--cloud-provider=aws',
        '--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/bitcoin-platform',
        '--expander=least-waste',
      ]),
    );
    expect(
      (await get(['serviceaccount', 'cluster-autoscaler', '-n', 'kube-system'])).metadata.name,
    ).toBe('cluster-autoscaler');
    const service = await get([
      'service',
      'cluster-autoscaler-aws-cluster-autoscaler',
      '-n',
      'kube-system',
    ]);
    expect(service.spec.ports).toEqual([expect.objectContaining({ port: 8085, targetPort: 8085 })]);
  });

  test('helm install --wait installs the load balancer controller stand-in once its ServiceAccount exists', async () => {
    const r = release('aws-load-balancer-controller');
    // The template creates this ServiceAccount itself (serviceAccount.create is false).
    await kubectl(plane().kubeconfig, [
      'create',
      'serviceaccount',
      r.values.serviceAccount.name,
      '-n',
      r.namespace,
    ]);
    await install(r);

    const deployment = await get([
      'deployment',
      'aws-load-balancer-controller',
      '-n',
      'kube-system',
    ]);
    expect(deployment.status.availableReplicas).toBe(2);
    expect(deployment.spec.template.spec.serviceAccountName).toBe('aws-load-balancer-controller');
    expect(deployment.spec.template.spec.containers[0].args).toContain(
      `--cluster-name=${r.values.clusterName}`,
    );
    const service = await get([
      'service',
      'aws-load-balancer-webhook-service',
      '-n',
      'kube-system',
    ]);
    expect(service.spec.ports).toEqual([
      expect.objectContaining({ port: 443, targetPort: 'webhook-server' }),
    ]);
    expect((await get(['ingressclass', 'alb'])).spec.controller).toBe('ingress.k8s.aws/alb');
    expect((await get(['ingressclassparams', 'alb'])).metadata.name).toBe('alb');

    // The template turns the Service mutator off.
    expect(r.values.enableServiceMutatorWebhook).toBe(false);
    const mutating = await get(['mutatingwebhookconfiguration', 'aws-load-balancer-webhook']);
    expect(mutating.webhooks.map((w: any) => [w.name, w.failurePolicy])).toEqual([
      ['mpod.elbv2.k8s.aws', 'Ignore'],
      ['mtargetgroupbinding.elbv2.k8s.aws', 'Fail'],
    ]);
    const validating = await get(['validatingwebhookconfiguration', 'aws-load-balancer-webhook']);
    expect(validating.webhooks.map((w: any) => [w.name, w.failurePolicy])).toEqual([
      ['vingressclassparams.elbv2.k8s.aws', 'Fail'],
      ['vtargetgroupbinding.elbv2.k8s.aws', 'Fail'],
      ['vingress.elbv2.k8s.aws', 'Fail'],
    ]);
  });

  test('enableServiceMutatorWebhook=true adds the Service webhook, as upstream, failing closed on every Service', async () => {
    const r = release('aws-load-balancer-controller');
    const rendered = await helm(
      [
        'template',
        r.release,
        r.chart,
        '--repo',
        repository.url,
        '--version',
        r.version,
        '--namespace',
        r.namespace,
        '--values',
        '-',
        '--set',
        'enableServiceMutatorWebhook=true',
      ],
      JSON.stringify(r.values),
    );
    const mutating = parseAllDocuments(rendered)
      .map((d) => d.toJS())
      .find((o) => o?.kind === 'MutatingWebhookConfiguration');
    const caBundle = fs.readFileSync(pki.caCert).toString('base64');
    const mservice = mutating.webhooks.find((w: any) => w.name === 'mservice.elbv2.k8s.aws');
    expect(mservice).toMatchObject({
      failurePolicy: 'Fail',
      clientConfig: {
        caBundle,
        service: {
          name: 'aws-load-balancer-webhook-service',
          namespace: 'kube-system',
          path: '/mutate-v1-service',
        },
      },
      rules: [
        expect.objectContaining({
          apiGroups: [''],
          operations: ['CREATE'],
          resources: ['services'],
        }),
      ],
      objectSelector: {
        matchExpressions: [
          {
            key: 'app.kubernetes.io/name',
            operator: 'NotIn',
            values: ['aws-load-balancer-controller'],
          },
        ],
      },
    });
  });

  test('names follow the same values as upstream: nameOverride and serviceAccount', async () => {
    const r = release('aws-load-balancer-controller');
    const set = 'nameOverride=lbc,serviceAccount.create=true,serviceAccount.name=null';
    const rendered = await helm(
      [
        'template',
        r.release,
        r.chart,
        '--repo',
        repository.url,
        '--version',
        r.version,
        '--values',
        '-',
        '--set',
        set,
      ],
      JSON.stringify(r.values),
    );
    const names = (kind: string) =>
      rendered
        .split(/^---$/m)
        .filter((d) => new RegExp(`^kind: ${kind}$`, 'm').test(d))
        .map((d) => /^ {2}name: (.*)$/m.exec(d)?.[1]);
    expect(names('ServiceAccount')).toEqual(['aws-load-balancer-controller-lbc']);
    expect(names('Service')).toEqual(['lbc-webhook-service']);
    expect(names('MutatingWebhookConfiguration')).toEqual(['lbc-webhook']);
    expect(rendered).toContain('serviceAccountName: aws-load-balancer-controller-lbc');
  });

  test('helm uninstall removes what each chart installed, except the CRD', async () => {
    for (const r of releases)
      await helm(['uninstall', r.release, '--namespace', r.namespace, '--wait']);
    const names = (args: string[]) =>
      kubectl(plane().kubeconfig, ['get', ...args, '-o', 'name', '--ignore-not-found']);
    expect(await names(['deployment,service', '-n', 'kube-system'])).toBe('');
    expect(await names(['serviceaccount', 'cluster-autoscaler', '-n', 'kube-system'])).toBe('');
    expect(
      await names(['ingressclass,mutatingwebhookconfiguration,validatingwebhookconfiguration']),
    ).toBe('');
    expect(await names(['crd', 'ingressclassparams.elbv2.k8s.aws'])).toContain(
      'ingressclassparams',
    );
  });
});
