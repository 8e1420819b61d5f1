/**
 * A stand-in that serves what some API objects name as their backend Service (webhook
 * configurations, APIServices): it polls those objects with the Services and EndpointSlices, and
 * keeps one HTTPS server on each ready endpoint of the named Services.
 */
import type { RequestListener } from 'node:http';
import { kubectl } from '../../testplane/lib/kubectl';
import type { CertificateAuthority } from './certificates';
import { EndpointServers, ServiceItem, ServiceRef } from './endpoint-servers';
import { PollLoop, PollOptions } from './poll-loop';

export abstract class EndpointStandIn<T extends ServiceItem> {
  private readonly servers: EndpointServers;
  private readonly loop: PollLoop;

  /** `kinds`: the objects that name Services, as `kubectl get` takes them. */
  protected constructor(
    private readonly kubeconfig: string,
    private readonly kinds: string,
    name: string,
    ca: CertificateAuthority,
    handler: RequestListener,
    options: PollOptions,
  ) {
    this.servers = new EndpointServers(ca, handler);
    this.loop = new PollLoop(name, () => this.reconcile(), options);
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
    const kinds = `${this.kinds},services,endpointslices`;
    const out = await kubectl(this.kubeconfig, ['get', kinds, '-A', '-o', 'json']);
    const items = (JSON.parse(out) as { items: T[] }).items;
    await this.servers.sync(items, this.servicesOf(items));
  }
}
