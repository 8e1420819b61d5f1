import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Chart, Yaml } from 'cdk8s';
import { k8s } from 'cdk8s-plus-34';
import { CHART_SOURCES, ChartSource, parseArgs, synthTarget, writeTarget } from '../../k8s/synth';
import { config } from './helpers';

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

describe('parseArgs', () => {
  test('defaults to both targets into dist', () => {
    expect(parseArgs([])).toEqual({ targets: ['eks', 'local'], outDir: 'dist', context: {} });
  });

  test('reads --target, --out and -c in both spellings', () => {
    expect(
      parseArgs(['--target', 'local', '--out=build', '-c', 'webReplicas=3', '--context=a=b=c']),
    ).toEqual({ targets: ['local'], outDir: 'build', context: { webReplicas: '3', a: 'b=c' } });
  });

  test('refuses an unknown target or argument, naming it', () => {
    expect(() => parseArgs(['--target', 'gke'])).toThrow(
      '--target must be one of eks, local, got "gke"',
    );
    expect(() => parseArgs(['--verbose'])).toThrow('unknown argument "--verbose"');
    expect(() => parseArgs(['-c', 'novalue'])).toThrow('-c expects key=value, got "novalue"');
  });
});

test('npm run synth:k8s with a bad config value exits 1 and names the key', () => {
  const root = path.resolve(__dirname, '..', '..');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-cli-'));
  try {
    const result = spawnSync(
      path.join(root, 'node_modules', '.bin', 'tsx'),
      ['k8s/synth.ts', '--out', out, '-c', 'webReplicas=-1'],
      { cwd: root, encoding: 'utf8' },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid config "webReplicas": got "-1"');
    expect(fs.readdirSync(out)).toEqual([]);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
