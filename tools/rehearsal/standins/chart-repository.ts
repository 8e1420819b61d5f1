/**
 * A Helm chart repository (index.yaml and one .tgz per chart) served over HTTPS on 127.0.0.1,
 * holding a stand-in chart for each release the templates install (an upgrade rehearsal has two),
 * at the release's pinned chart name and version.
 * @see https://helm.sh/docs/topics/chart_repository/
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { caBundle, CertificateAuthority, issueServingCertificate } from './certificates';
import { awsLoadBalancerController } from './charts/aws-load-balancer-controller';
import { clusterAutoscaler } from './charts/cluster-autoscaler';
import type { StandInChart } from './charts/stand-in-chart';

export interface ChartRelease {
  readonly chart: string;
  readonly version: string;
}

export interface ChartRepository {
  /** https://127.0.0.1:<port>, to pass as the release's repository. */
  readonly url: string;
  stop(): Promise<void>;
}

const standInCharts = (ca: CertificateAuthority): StandInChart[] => [
  awsLoadBalancerController(caBundle(ca)),
  clusterAutoscaler,
];

/** Starts the repository; its certificate (for 127.0.0.1) is signed by `ca`. */
export async function startChartRepository(
  releases: readonly ChartRelease[],
  ca: CertificateAuthority,
): Promise<ChartRepository> {
  const available = standInCharts(ca);
  // An upgrade rehearsal asks for two templates' releases, often the same ones.
  const distinct = [...new Map(releases.map((r) => [`${r.chart} ${r.version}`, r])).values()];
  const charts = distinct.map((release) => {
    const chart = available.find((c) => c.name === release.chart && c.version === release.version);
    if (!chart) {
      const known = available.map((c) => `${c.name} ${c.version}`).join(', ');
      throw new Error(
        `no stand-in chart for ${release.chart} ${release.version}; stand-ins: ${known}`,
      );
    }
    return chart;
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chart-repository-'));
  const tls = issueServingCertificate(ca, path.join(dir, 'tls'), 'chart-repository', {
    ips: ['127.0.0.1'],
  });
  const packages = charts.map((chart) => ({ chart, file: `${chart.name}-${chart.version}.tgz` }));
  const files = new Map(packages.map(({ chart, file }) => [file, pack(chart, dir)]));
  const server = https.createServer(
    { cert: fs.readFileSync(tls.cert), key: fs.readFileSync(tls.key) },
    (req, res) => {
      const name = (req.url ?? '/').split('?')[0].replace(/^\/+/, '');
      const body = name === 'index.yaml' ? index(url, packages, files) : files.get(name);
      if (req.method !== 'GET' || body === undefined) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-length': body.length }).end(body);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `helm package` by hand: a gzipped tar whose top folder is the chart's name. */
function pack(chart: StandInChart, dir: string): Buffer {
  const root = path.join(dir, 'src', chart.name);
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  // JSON is YAML, which spares a YAML writer.
  write(
    'Chart.yaml',
    JSON.stringify({
      apiVersion: 'v2',
      name: chart.name,
      version: chart.version,
      appVersion: chart.appVersion,
      description: `Rehearsal stand-in for the ${chart.name} chart ${chart.version}`,
    }),
  );
  write('values.yaml', JSON.stringify(chart.values, null, 2));
  for (const [file, text] of Object.entries(chart.templates)) write(`templates/${file}`, text);
  for (const [file, text] of Object.entries(chart.crds ?? {})) write(`crds/${file}`, text);
  const archive = path.join(dir, `${chart.name}-${chart.version}.tgz`);
  execFileSync('tar', ['-czf', archive, '-C', path.dirname(root), chart.name]);
  return fs.readFileSync(archive);
}

function index(
  url: string,
  packages: readonly { chart: StandInChart; file: string }[],
  files: ReadonlyMap<string, Buffer>,
): Buffer {
  const entries: Record<string, unknown[]> = {};
  for (const { chart, file } of packages) {
    (entries[chart.name] ??= []).push({
      apiVersion: 'v2',
      name: chart.name,
      version: chart.version,
      appVersion: chart.appVersion,
      urls: [`${url}/${file}`],
      digest: createHash('sha256').update(files.get(file)!).digest('hex'),
    });
  }
  return Buffer.from(JSON.stringify({ apiVersion: 'v1', entries }));
}
