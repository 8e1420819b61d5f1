/**
 * HTTPS servers where the apiserver looks for a Service's backends: one per ready endpoint of
 * the Service at its target port, opened while the endpoint is ready and closed once it is not,
 * with a certificate for `<service>.<namespace>.svc` signed by the rehearsal's CA. Webhooks and
 * aggregated APIs are called this way (--enable-aggregator-routing, as on EKS).
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { RequestListener } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { CertificateAuthority, issueServingCertificate } from './certificates';

/** A Service as webhook configurations and APIServices name it; the port defaults to 443. */
export interface ServiceRef {
  readonly namespace: string;
  readonly name: string;
  readonly port?: number;
}

/** The fields of Services and EndpointSlices that say where a Service's backends are. */
export interface ServiceItem {
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
  };
  readonly spec?: { readonly ports?: readonly { name?: string; port: number }[] };
  readonly ports?: readonly { name?: string; port?: number }[] | null;
  readonly endpoints?: readonly { addresses: string[]; conditions?: { ready?: boolean } }[] | null;
}

interface Target {
  readonly key: string;
  readonly address: string;
  readonly port: number;
  readonly serverName: string;
}

export class EndpointServers {
  private readonly servers = new Map<string, https.Server>();
  private readonly certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'endpoint-servers-'));

  constructor(
    private readonly ca: CertificateAuthority,
    private readonly handler: RequestListener,
  ) {}

  /** `address:port` of each server now answering. */
  serving(): string[] {
    return [...this.servers.keys()].sort();
  }

  /** Serves exactly the ready endpoints of `services`, as `items` (Services, EndpointSlices) say. */
  async sync(items: readonly ServiceItem[], services: readonly ServiceRef[]): Promise<void> {
    const wanted = services.flatMap((ref) => targetsOf(items, ref));
    for (const key of this.servers.keys()) {
      if (!wanted.some((t) => t.key === key)) await this.close(key);
    }
    for (const target of wanted) {
      if (!this.servers.has(target.key)) await this.listen(target);
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.servers.keys()].map((key) => this.close(key)));
    fs.rmSync(this.certDir, { recursive: true, force: true });
  }

  private async listen(target: Target): Promise<void> {
    const tls = issueServingCertificate(this.ca, this.certDir, target.serverName, {
      dnsNames: [target.serverName],
    });
    const options = { cert: fs.readFileSync(tls.cert), key: fs.readFileSync(tls.key) };
    const server = https.createServer(options, this.handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(target.port, target.address, resolve);
    });
    this.servers.set(target.key, server);
  }

  private async close(key: string): Promise<void> {
    const server = this.servers.get(key);
    this.servers.delete(key);
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Ready endpoint × target port of one Service; none while the Service or its port is missing. */
function targetsOf(items: readonly ServiceItem[], ref: ServiceRef): Target[] {
  const inNamespace = items.filter((i) => i.metadata.namespace === ref.namespace);
  const service = inNamespace.find((i) => i.kind === 'Service' && i.metadata.name === ref.name);
  const servicePort = service?.spec?.ports?.find((p) => p.port === (ref.port ?? 443));
  if (!servicePort) return [];
  const serverName = `${ref.name}.${ref.namespace}.svc`;
  const slices = inNamespace.filter(
    (i) =>
      i.kind === 'EndpointSlice' && i.metadata.labels?.['kubernetes.io/service-name'] === ref.name,
  );
  return slices.flatMap((slice) => {
    // A slice's ports carry the Service port's name and the resolved target port number.
    const port = slice.ports?.find((p) => (p.name ?? '') === (servicePort.name ?? ''))?.port;
    if (port === undefined) return [];
    return (slice.endpoints ?? [])
      .filter((endpoint) => endpoint.conditions?.ready !== false)
      .flatMap((endpoint) => endpoint.addresses)
      .map((address) => ({ key: `${address}:${port}`, address, port, serverName }));
  });
}
