/**
 * The first deploy after httpd's replica count went to its HPA, rehearsed on a plane of its own
 * (the lifecycle suite's plane keeps what kubectl cannot prune): the previous version's template
 * (httpd with `replicas`), httpd scaled as the HPA would, then this version with
 * `releaseHttpdReplicas`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { rehearse } from '../../../tools/rehearsal/rehearsal';
import type { RehearsalReport } from '../../../tools/rehearsal/report';
import { synthTemplate } from '../../../tools/rehearsal/template';
import type { ConfigChange } from '../../../tools/rehearsal/update-table';
import { eventually } from '../../../tools/testplane/lib/eventually';
import { getJson, kubectl } from '../../../tools/testplane/lib/kubectl';
import { withHttpdReplicas } from './rehearsal-fixtures';
import { failedChecks, phase, REHEARSAL_TIMEOUT_MS } from './rehearsal-report';
import { withTestPlane } from '../../helpers/with-test-plane';

withTestPlane("the first deploy after httpd's replica count went to its HPA", (plane) => {
  let workDir: string;
  beforeAll(() => (workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-handover-'))));
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  /** Not a config key: the template is the previous version's, httpd with `replicas`. */
  const PREVIOUS = 'rehearsal:previous';
  const SCALED = 5;
  const HANDOVER: ConfigChange = {
    label: 'httpd replicas handed to the HPA',
    set: { [PREVIOUS]: undefined, releaseHttpdReplicas: 'true' },
  };
  interface Pod {
    metadata: { name: string; uid: string; deletionTimestamp?: string };
  }
  const httpdPods = async (kubeconfig: string) =>
    (
      await getJson<{ items: Pod[] }>(kubeconfig, ['pods', '-n', 'web', '-l', 'app=httpd'])
    ).items.filter((p) => !p.metadata.deletionTimestamp);
  let report: RehearsalReport;
  let before: string[] = [];

  beforeAll(async () => {
    report = await rehearse({
      context: { [PREVIOUS]: 'yes' },
      workDir,
      updates: [HANDOVER],
      template: (context) => {
        const { [PREVIOUS]: previous, ...config } = context;
        const synthesised = synthTemplate(config);
        return previous ? withHttpdReplicas(synthesised, 2) : synthesised;
      },
      plane: plane(),
      // Between the deploys the HPA scales httpd up, through the scale subresource as it does.
      aroundUpdate: async (_change, kubeconfig) => {
        await kubectl(kubeconfig, [
          'scale',
          'deployment/httpd',
          '-n',
          'web',
          `--replicas=${SCALED}`,
        ]);
        await eventually(async () => expect(await httpdPods(kubeconfig)).toHaveLength(SCALED));
        before = (await httpdPods(kubeconfig)).map((p) => p.metadata.uid).sort();
        return async () => {
          const httpd = await getJson<{ spec: { replicas: number } }>(kubeconfig, [
            'deployment/httpd',
            '-n',
            'web',
          ]);
          const after = (await httpdPods(kubeconfig)).map((p) => p.metadata.uid).sort();
          return [
            {
              name: 'httpd kept the count the HPA set',
              ok: httpd.spec.replicas === SCALED,
              detail: `spec.replicas ${httpd.spec.replicas}`,
            },
            {
              name: 'no httpd pod was killed',
              ok: JSON.stringify(after) === JSON.stringify(before),
              detail: `before ${before.join(', ')}; after ${after.join(', ')}`,
            },
          ];
        };
      },
      log: () => undefined,
    });
  }, REHEARSAL_TIMEOUT_MS);

  test('the previous version deploys and converges', () => {
    expect(phase(report, 'create').steps.filter((s) => s.outcome === 'failed')).toEqual([]);
    expect(failedChecks(phase(report, 'converge'))).toEqual([]);
  });

  test('the update patches httpd first, then updates the workloads chart, and keeps the count and every pod', () => {
    const p = phase(report, `update: ${HANDOVER.label}`);
    const steps = p.steps.filter((s) => s.kubernetes && s.outcome !== 'unchanged');
    const patch = steps.find((s) => s.resourceType === 'Custom::AWSCDK-EKS-KubernetesPatch')!;
    const workloads = steps.find((s) => s.logicalId.startsWith('EksClusterchartworkloads'))!;
    expect([patch.outcome, workloads.outcome]).toEqual(['succeeded', 'succeeded']);
    expect(workloads.startedAt).toBeGreaterThanOrEqual(patch.startedAt + patch.seconds * 1000 - 1);
    expect(failedChecks(p)).toEqual([]);
    expect(p.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['httpd kept the count the HPA set', 'no httpd pod was killed']),
    );
    expect(before).toHaveLength(SCALED);
  });

  test('destroy leaves the retained patch alone and removes everything else', () => {
    const p = phase(report, 'destroy');
    const patch = p.steps.find((s) => s.resourceType === 'Custom::AWSCDK-EKS-KubernetesPatch');
    expect(patch?.outcome).toBe('retained');
    expect(p.steps.filter((s) => s.outcome === 'failed')).toEqual([]);
    expect(failedChecks(p)).toEqual([]);
  });
});
