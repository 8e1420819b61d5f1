/**
 * A stand-in that serves what some API objects name as their backend Service (webhook
 * configurations, APIServices): it polls those objects with the Services and EndpointSlices, and
 * keeps one HTTPS server on each ready endpoint of the named Services.
 */
import type { RequestListener } from 'node:http';
import { AdminApi, Collection } from '../../testplane/lib/admin-api';
import type { CertificateAuthority } from './certificates';
import { EndpointServers, ServiceItem, ServiceRef } from './endpoint-servers';
import { collectionChanges } from './collection-changes';
import { PollLoop, PollOptions } from './poll-loop';

const SERVICES: Collection = { kind: 'Service', path: '/api/v1/services' };
const ENDPOINT_SLICES: Collection = {
  kind: 'EndpointSlice',
  path: '/apis/discovery.k8s.io/v1/endpointslices',
};

export abstract class EndpointStandIn<T extends ServiceItem> {
  private readonly api: AdminApi;
  private readonly servers: EndpointServers;
  private readonly loop: PollLoop;
  private readonly collections: readonly Collection[];

  /** `kinds`: the objects that name Services. */
  protected constructor(
    kubeconfig: string,
    kinds: readonly Collection[],
    name: string,
    ca: CertificateAuthority,
    handler: RequestListener,
    options: PollOptions,
  ) {
    this.api = new AdminApi(kubeconfig);
    this.collections = [...kinds, SERVICES, ENDPOINT_SLICES];
    this.servers = new EndpointServers(ca, handler);
    this.loop = new PollLoop(
      name,
      () => this.reconcile(),
      options,
      collectionChanges(this.api, this.collections),
    );
  }

  /** `address:port` of each server now answering. */
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

  /** The Services the polled objects call. */
  protected abstract servicesOf(items: readonly T[]): ServiceRef[];

  private async reconcile(): Promise<void> {
    const items = await this.api.listAll<T>(this.collections);
    await this.servers.sync(items, this.servicesOf(items));
  }
}
