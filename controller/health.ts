/**
 * The process's HTTP endpoints for kubelet probes and Prometheus: `/healthz` (the event loop
 * answers), `/readyz` (the informers have synced and the controller is not shutting down) and
 * `/metrics`.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type SyncOutcome = 'ok' | 'degraded' | 'error' | 'skipped';

export class ControllerMetrics {
  readonly registry = new Registry();
  private readonly syncs = new Counter({
    name: 'bitcoin_controller_syncs_total',
    help: 'Reconcile passes by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'bitcoin_controller_sync_duration_seconds',
    help: 'Duration of one reconcile pass',
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
    registers: [this.registry],
  });

  constructor(queueDepth: () => number) {
    new Gauge({
      name: 'bitcoin_controller_queue_depth',
      help: 'Keys waiting in the work queue',
      registers: [this.registry],
      collect() {
        this.set(queueDepth());
      },
    });
  }

  observe(outcome: SyncOutcome, seconds: number): void {
    this.syncs.inc({ outcome });
    this.duration.observe(seconds);
  }
}

export class HealthServer {
  private readonly server: http.Server;

  constructor(
    private readonly ready: () => boolean,
    metrics?: ControllerMetrics,
  ) {
    this.server = http.createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET') {
        res.writeHead(405).end();
      } else if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      } else if (path === '/readyz') {
        const ok = this.ready();
        res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
        res.end(ok ? 'ok\n' : 'informers not synced\n');
      } else if (path === '/metrics' && metrics) {
        metrics.registry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
          () => res.writeHead(500).end(),
        );
      } else {
        res.writeHead(404).end();
      }
    });
  }

  /** Listen; resolves with the bound port (useful with port 0). */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
