/**
 * The aggregated APIs our add-ons register (metrics-server's v1beta1.metrics.k8s.io), reduced to
 * their discovery documents, served on the ready endpoints of each APIService's Service. That is
 * what the apiserver needs to mark the APIService Available; without it, discovery fails for the
 * group and the namespace controller leaves every deleted namespace Terminating.
 * @see https://kubernetes.io/docs/tasks/extend-kubernetes/configure-aggregation-layer/
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { kubectl } from '../../testplane/lib/kubectl';
import type { CertificateAuthority } from './certificates';
import { EndpointServers, ServiceItem, ServiceRef } from './endpoint-servers';
import { PollLoop, PollOptions } from './poll-loop';

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

export class AggregatedApiStandIn {
  private readonly servers: EndpointServers;
  private readonly loop: PollLoop;

  constructor(
    private readonly kubeconfig: string,
    ca: CertificateAuthority,
    options: PollOptions = {},
  ) {
    this.servers = new EndpointServers(ca, serveDiscovery);
    this.loop = new PollLoop('aggregated API stand-in', () => this.reconcile(), options);
  }

  /** `address:port` of each API server now answering. */
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
    const kinds = 'apiservices.apiregistration.k8s.io,services,endpointslices';
    const out = await kubectl(this.kubeconfig, ['get', kinds, '-A', '-o', 'json']);
    const items = (JSON.parse(out) as { items: ApiServiceItem[] }).items;
    const backends = items
      .filter((i) => i.kind === 'APIService')
      .flatMap((i) => (i.spec?.service ? [i.spec.service] : []));
    await this.servers.sync(items, backends);
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
