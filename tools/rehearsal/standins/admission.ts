/**
 * The admission webhooks of the charts we install, played by one process: it admits every
 * request (AdmissionReview `allowed: true`), and answers only where and when the real webhook
 * server would, on the ready endpoints of each webhook's Service at its target port, with a
 * certificate for `<service>.<namespace>.svc` signed by the rehearsal's CA. Until a Deployment's
 * pods are ready the apiserver finds no endpoint and, for failurePolicy Fail, refuses the request.
 * @see https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { kubectl } from '../../testplane/lib/kubectl';
import { CertificateAuthority, issueServingCertificate } from './certificates';
import { PollLoop, PollOptions } from './poll-loop';

interface ServiceRef {
  namespace: string;
  name: string;
  port?: number;
}
interface Item {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  webhooks?: { clientConfig: { service?: ServiceRef } }[];
  spec?: { ports?: { name?: string; port: number }[] };
  ports?: { name?: string; port?: number }[] | null;
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] | null;
}

/** One webhook server: a pod address and port, for one Service. */
interface Target {
  readonly key: string;
  readonly address: string;
  readonly port: number;
  readonly service: string;
}

export class AdmissionStandIn {
  private readonly servers = new Map<string, https.Server>();
  private readonly certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'admission-'));
  private readonly loop: PollLoop;

  constructor(
    private readonly kubeconfig: string,
    private readonly ca: CertificateAuthority,
    options: PollOptions = {},
  ) {
    this.loop = new PollLoop('admission stand-in', () => this.reconcile(), options);
  }

  /** `address:port` of each webhook server now answering. */
  serving(): string[] {
    return [...this.servers.keys()].sort();
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await Promise.all([...this.servers.keys()].map((key) => this.close(key)));
    fs.rmSync(this.certDir, { recursive: true, force: true });
  }

  private async reconcile(): Promise<void> {
    const kinds =
      'mutatingwebhookconfigurations,validatingwebhookconfigurations,services,endpointslices';
    const out = await kubectl(this.kubeconfig, ['get', kinds, '-A', '-o', 'json']);
    const wanted = targets((JSON.parse(out) as { items: Item[] }).items);
    for (const key of this.servers.keys()) {
      if (!wanted.some((t) => t.key === key)) await this.close(key);
    }
    for (const target of wanted) {
      if (!this.servers.has(target.key)) await this.listen(target);
    }
  }

  private async listen(target: Target): Promise<void> {
    const tls = issueServingCertificate(this.ca, this.certDir, target.service, {
      dnsNames: [target.service],
    });
    const server = https.createServer(
      { cert: fs.readFileSync(tls.cert), key: fs.readFileSync(tls.key) },
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const review = JSON.parse(Buffer.concat(chunks).toString()) as {
            apiVersion: string;
            request: { uid: string };
          };
          // Answered in the version asked: the LBC webhooks still speak v1beta1.
          const answer = {
            apiVersion: review.apiVersion,
            kind: 'AdmissionReview',
            response: { uid: review.request.uid, allowed: true },
          };
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
        });
      },
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(target.port, target.address, resolve);
    });
    this.servers.set(target.key, server);
  }

  private async close(key: string): Promise<void> {
    const server = this.servers.get(key);
    this.servers.delete(key);
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

/** Ready endpoint × resolved port of every Service a webhook configuration calls. */
function targets(items: readonly Item[]): Target[] {
  const called = items
    .flatMap((i) => i.webhooks ?? [])
    .flatMap((w) => (w.clientConfig.service ? [w.clientConfig.service] : []));
  const found: Target[] = [];
  for (const ref of called) {
    const service = items.find(
      (i) =>
        i.kind === 'Service' &&
        i.metadata.namespace === ref.namespace &&
        i.metadata.name === ref.name,
    );
    const servicePort = service?.spec?.ports?.find((p) => p.port === (ref.port ?? 443));
    if (!servicePort) continue;
    const slices = items.filter(
      (i) =>
        i.kind === 'EndpointSlice' &&
        i.metadata.namespace === ref.namespace &&
        i.metadata.labels?.['kubernetes.io/service-name'] === ref.name,
    );
    for (const slice of slices) {
      const port = slice.ports?.find((p) => (p.name ?? '') === (servicePort.name ?? ''))?.port;
      if (port === undefined) continue;
      for (const endpoint of slice.endpoints ?? []) {
        if (endpoint.conditions?.ready === false) continue;
        for (const address of endpoint.addresses) {
          const key = `${address}:${port}`;
          const name = `${ref.name}.${ref.namespace}.svc`;
          if (!found.some((t) => t.key === key)) found.push({ key, address, port, service: name });
        }
      }
    }
  }
  return found;
}
