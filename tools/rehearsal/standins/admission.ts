/**
 * The admission webhooks of the charts we install, played by one process: it admits every
 * request (AdmissionReview `allowed: true`), and answers only where and when the real webhook
 * server would, on the ready endpoints of each webhook's Service. Until a Deployment's pods are
 * ready the apiserver finds no endpoint and, for failurePolicy Fail, refuses the request.
 * @see https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CertificateAuthority } from './certificates';
import type { ServiceItem, ServiceRef } from './endpoint-servers';
import { EndpointStandIn } from './endpoint-stand-in';
import type { PollOptions } from './poll-loop';

interface WebhookConfiguration extends ServiceItem {
  readonly webhooks?: readonly { clientConfig: { service?: ServiceRef } }[];
}

export class AdmissionStandIn extends EndpointStandIn<WebhookConfiguration> {
  constructor(kubeconfig: string, ca: CertificateAuthority, options: PollOptions = {}) {
    super(
      kubeconfig,
      [
        {
          kind: 'MutatingWebhookConfiguration',
          path: '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
        },
        {
          kind: 'ValidatingWebhookConfiguration',
          path: '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations',
        },
      ],
      'admission stand-in',
      ca,
      admitEverything,
      options,
    );
  }

  protected servicesOf(items: readonly WebhookConfiguration[]): ServiceRef[] {
    return items
      .flatMap((i) => i.webhooks ?? [])
      .flatMap((w) => (w.clientConfig.service ? [w.clientConfig.service] : []));
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
