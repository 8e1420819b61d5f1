/**
 * The aggregated APIs our add-ons register (metrics-server's v1beta1.metrics.k8s.io), reduced to
 * their discovery documents, served on the ready endpoints of each APIService's Service. That is
 * what the apiserver needs to mark the APIService Available; without it, discovery fails for the
 * group and the namespace controller leaves every deleted namespace Terminating.
 * @see https://kubernetes.io/docs/tasks/extend-kubernetes/configure-aggregation-layer/
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CertificateAuthority } from './certificates';
import type { ServiceItem, ServiceRef } from './endpoint-servers';
import { EndpointStandIn } from './endpoint-stand-in';
import type { PollOptions } from './poll-loop';

interface ApiResource {
  readonly name: string;
  readonly namespaced: boolean;
  readonly kind: string;
  readonly verbs: readonly string[];
}

/** The resources each aggregated group-version lists, as the real server does. */
const RESOURCES: Readonly<Record<string, readonly ApiResource[]>> = {
  'metrics.k8s.io/v1beta1': [
    { name: 'nodes', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
    { name: 'pods', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
  ],
};

interface ApiServiceItem extends ServiceItem {
  readonly spec?: ServiceItem['spec'] & {
    readonly group?: string;
    readonly version?: string;
    readonly service?: ServiceRef | null;
  };
}

export class AggregatedApiStandIn extends EndpointStandIn<ApiServiceItem> {
  constructor(kubeconfig: string, ca: CertificateAuthority, options: PollOptions = {}) {
    super(
      kubeconfig,
      [{ kind: 'APIService', path: '/apis/apiregistration.k8s.io/v1/apiservices' }],
      'aggregated API stand-in',
      ca,
      serveDiscovery,
      options,
    );
  }

  protected servicesOf(items: readonly ApiServiceItem[]): ServiceRef[] {
    return items
      .filter((i) => i.kind === 'APIService')
      .flatMap((i) => (i.spec?.service ? [i.spec.service] : []));
  }
}

/** GET /apis/<group>/<version>: the APIResourceList; anything else is not ours to answer. */
function serveDiscovery(req: IncomingMessage, res: ServerResponse): void {
  const match = /^\/apis\/([^/]+)\/([^/?]+)\/?(\?.*)?$/.exec(req.url ?? '');
  if (req.method !== 'GET' || !match) {
    res.writeHead(404).end();
    return;
  }
  const groupVersion = `${match[1]}/${match[2]}`;
  const list = {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: (RESOURCES[groupVersion] ?? []).map((r) => ({ singularName: '', ...r })),
  };
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(list));
}
