/**
 * The process's HTTP endpoints for kubelet probes and Prometheus:
 *
 * - `/healthz` (liveness): the event loop answers and no informer is stuck;
 * - `/readyz` (readiness): the informers have synced, this process leads or stands by, and it is
 *   not shutting down;
 * - `/metrics`: the metrics below, in the Prometheus text format.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SyncOutcome } from './controller';

/** Names of every metric the controller exports; the README's operations section lists them. */
export const METRIC = {
  syncs: 'bitcoin_controller_syncs_total',
  syncDuration: 'bitcoin_controller_sync_duration_seconds',
  queueDepth: 'bitcoin_controller_queue_depth',
  queueDelayed: 'bitcoin_controller_queue_delayed',
  queueRetries: 'bitcoin_controller_queue_retries_total',
  apiRequests: 'bitcoin_controller_api_requests_total',
  rpcRequests: 'bitcoin_controller_rpc_requests_total',
  rpcDuration: 'bitcoin_controller_rpc_duration_seconds',
  leader: 'bitcoin_controller_leader',
  informerRestarts: 'bitcoin_controller_informer_restarts_total',
} as const;

export interface QueueGauges {
  /** Keys waiting to be handed to a worker. */
  len(): number;
  /** Keys waiting on a delay (backoff or resync). */
  pendingDelayed(): number;
}

export class ControllerMetrics {
  readonly registry = new Registry();
  private readonly syncs = new Counter({
    name: METRIC.syncs,
    help: 'Reconcile passes by outcome (ok, degraded, error, skipped)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: METRIC.syncDuration,
    help: 'Duration of one reconcile pass by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly retries = new Counter({
    name: METRIC.queueRetries,
    help: 'Keys put back on the work queue with backoff after a failed or degraded pass',
    registers: [this.registry],
  });
  private readonly api = new Counter({
    name: METRIC.apiRequests,
    help: 'Kubernetes API requests made by reconciles and leader election, by verb, resource and HTTP code',
    labelNames: ['verb', 'resource', 'code'] as const,
    registers: [this.registry],
  });
  private readonly rpc = new Counter({
    name: METRIC.rpcRequests,
    help: 'bitcoind JSON-RPC calls by method and result',
    labelNames: ['method', 'result'] as const,
    registers: [this.registry],
  });
  private readonly rpcDuration = new Histogram({
    name: METRIC.rpcDuration,
    help: 'Duration of bitcoind JSON-RPC calls by method and result',
    labelNames: ['method', 'result'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });
  private readonly leader = new Gauge({
    name: METRIC.leader,
    help: '1 while this process holds the leader Lease (or runs without leader election), else 0',
    registers: [this.registry],
  });
  private readonly informerRestarts = new Counter({
    name: METRIC.informerRestarts,
    help: 'Informer restarts after a list or watch error, by informer',
    labelNames: ['informer'] as const,
    registers: [this.registry],
  });

  constructor(queue: QueueGauges | (() => number)) {
    const q: QueueGauges =
      typeof queue === 'function' ? { len: queue, pendingDelayed: () => 0 } : queue;
    new Gauge({
      name: METRIC.queueDepth,
      help: 'Keys waiting in the work queue',
      registers: [this.registry],
      collect() {
        this.set(q.len());
      },
    });
    new Gauge({
      name: METRIC.queueDelayed,
      help: 'Keys waiting on a backoff or resync delay before they are queued',
      registers: [this.registry],
      collect() {
        this.set(q.pendingDelayed());
      },
    });
    this.leader.set(0);
  }

  observe(outcome: SyncOutcome, seconds: number): void {
    this.syncs.inc({ outcome });
    this.duration.observe({ outcome }, seconds);
  }

  retried(): void {
    this.retries.inc();
  }

  apiRequest(verb: string, resource: string, code: string): void {
    this.api.inc({ verb, resource, code });
  }

  rpcCall(method: string, result: string, seconds: number): void {
    this.rpc.inc({ method, result });
    this.rpcDuration.observe({ method, result }, seconds);
  }

  setLeader(leading: boolean): void {
    this.leader.set(leading ? 1 : 0);
  }

  informerRestarted(informer: string): void {
    this.informerRestarts.inc({ informer });
  }
}

/** The answer of a probe: ok, or not with the reason in the body. */
export interface Check {
  readonly ok: boolean;
  readonly reason?: string;
}

export interface HealthServerOptions {
  /** Readiness; `/readyz`. */
  readonly ready: () => Check;
  /** Liveness beyond "the event loop answers"; `/healthz`. @default always ok */
  readonly live?: () => Check;
  readonly metrics?: ControllerMetrics;
}

export class HealthServer {
  private readonly server: http.Server;

  constructor(options: HealthServerOptions) {
    const live = options.live ?? (() => ({ ok: true }));
    const metrics = options.metrics;
    const answer = (res: http.ServerResponse, check: Check) => {
      res.writeHead(check.ok ? 200 : 503, { 'content-type': 'text/plain' });
      res.end(check.ok ? 'ok\n' : `${check.reason ?? 'not ok'}\n`);
    };
    this.server = http.createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET') {
        res.writeHead(405).end();
      } else if (path === '/healthz') {
        answer(res, live());
      } else if (path === '/readyz') {
        answer(res, options.ready());
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
