import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Chart, Yaml } from 'cdk8s';
import { k8s } from 'cdk8s-plus-34';
import { CHART_SOURCES, ChartSource, synthTarget, writeTarget } from '../../k8s/synth';
import { config } from '../helpers/k8s';

describe('writeTarget', () => {
  let out: string;
  beforeEach(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-test-'));
  });
  afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

  test('writes one numbered YAML file per chart, in apply order', () => {
    const files = writeTarget(out, 'local', config());
    expect(files.map((f) => path.relative(out, f))).toEqual([
      'local/00-namespaces.yaml',
      'local/01-storage.yaml',
      'local/02-workloads.yaml',
      'local/03-ingress.yaml',
      'local/04-autoscaling.yaml',
      'local/05-bitcoin-crd.yaml',
      'local/06-bitcoin-operator.yaml',
      'local/07-bitcoin-sample.yaml',
    ]);
    // Plain multi-document YAML that reads back to the same objects.
    const docs = Yaml.load(files[0]);
    expect(docs.map((d: { kind: string }) => d.kind)).toEqual([
      'Namespace',
      'Namespace',
      'NetworkPolicy',
      'NetworkPolicy',
      'NetworkPolicy',
      'NetworkPolicy',
      'NetworkPolicy',
      'NetworkPolicy',
    ]);
  });

  test('replaces what an earlier run left in the target folder', () => {
    fs.mkdirSync(path.join(out, 'eks'));
    fs.writeFileSync(path.join(out, 'eks', '99-stale.yaml'), 'kind: Stale\n');
    writeTarget(out, 'eks', config());
    expect(fs.readdirSync(path.join(out, 'eks'))).not.toContain('99-stale.yaml');
  });
});

test('adding a chart source is one more entry, numbered after the others', () => {
  const extra: ChartSource = (app) => {
    const chart = new Chart(app, 'extra');
    new k8s.KubeNamespace(chart, 'ns', { metadata: { name: 'extra' } });
    return { extra: chart };
  };
  const charts = synthTarget('eks', config(), [...CHART_SOURCES, extra]);
  expect(charts.map((c) => c.fileName).slice(-2)).toEqual([
    '07-bitcoin-sample.yaml',
    '08-extra.yaml',
  ]);
});
