/**
 * The admission webhooks of the charts we install, played by one process: it admits every
 * request (AdmissionReview `allowed: true`), and answers only where and when the real webhook
 * server would, on the ready endpoints of each webhook's Service. Until a Deployment's pods are
 * ready the apiserver finds no endpoint and, for failurePolicy Fail, refuses the request.
 * @see https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { kubectl } from '../../testplane/lib/kubectl';
import type { CertificateAuthority } from './certificates';
import { EndpointServers, ServiceItem, ServiceRef } from './endpoint-servers';
import { PollLoop, PollOptions } from './poll-loop';

interface WebhookConfiguration extends ServiceItem {
  readonly webhooks?: readonly { clientConfig: { service?: ServiceRef } }[];
}

export class AdmissionStandIn {
  private readonly servers: EndpointServers;
  private readonly loop: PollLoop;

  constructor(
    private readonly kubeconfig: string,
    ca: CertificateAuthority,
    options: PollOptions = {},
  ) {
    this.servers = new EndpointServers(ca, admitEverything);
    this.loop = new PollLoop('admission stand-in', () => this.reconcile(), options);
  }

  /** `address:port` of each webhook server now answering. */
  serving(): string[] {
    return this.servers.serving();
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.servers.closeAll();
  }

  private async reconcile(): Promise<void> {
    const kinds =
      'mutatingwebhookconfigurations,validatingwebhookconfigurations,services,endpointslices';
    const out = await kubectl(this.kubeconfig, ['get', kinds, '-A', '-o', 'json']);
    const items = (JSON.parse(out) as { items: WebhookConfiguration[] }).items;
    const called = items
      .flatMap((i) => i.webhooks ?? [])
      .flatMap((w) => (w.clientConfig.service ? [w.clientConfig.service] : []));
    await this.servers.sync(items, called);
  }
}

function admitEverything(req: IncomingMessage, res: ServerResponse): void {
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
}
