/**
 * The order in which the process starts and stops. Start: informers (warm on every replica), then
 * leader election, then workers on the leader only. Stop (SIGTERM): informers, then the queue
 * (drained on the leader), then the Lease, so that a standby takes over only once no pass is in
 * flight.
 */
import type { Logger } from 'pino';
import type { InformerHealth } from '../kube/informer';
import type { BitcoinNetworkController } from './controller';
import { Check, ControllerMetrics, HealthServer } from './health';
import type { LeaderElector } from './leader';

/** What the lifecycle needs of an informer. */
export interface LifecycleInformer {
  start(): Promise<void>;
  stop(): Promise<void>;
  whenSynced(): Promise<void>;
  hasSynced(): boolean;
  health(): InformerHealth;
}

export interface LifecycleOptions {
  readonly informers: readonly LifecycleInformer[];
  readonly controller: BitcoinNetworkController;
  readonly metrics: ControllerMetrics;
  readonly logger: Logger;
  readonly workers: number;
  /** Port of the health server; 0 turns it off. */
  readonly healthPort: number;
  readonly healthBind: string;
  /** Closes the process's connections (RPC and apiserver agents) after the last pass. */
  readonly closeConnections: () => void;
}

export class Lifecycle {
  private elector?: LeaderElector;
  private working = false;
  private stopping = false;
  private readonly health: HealthServer;

  constructor(private readonly options: LifecycleOptions) {
    this.health = new HealthServer({
      ready: () => this.ready(),
      live: () => this.live(),
      metrics: options.metrics,
    });
  }

  /** Campaign with `elector` instead of starting workers at once; set before `run()`. */
  useLeaderElection(elector: LeaderElector): void {
    this.elector = elector;
  }

  /**
   * This process leads, or runs without leader election: report it, then start the workers.
   * `identity` is the elector's, when there is one.
   */
  startedLeading(identity?: string): void {
    this.options.metrics.setLeader(true);
    if (identity !== undefined) {
      this.options.logger.info(
        { identity, workers: this.options.workers },
        'leading: starting workers',
      );
    }
    this.working = true;
    this.options.controller.start(this.options.workers);
  }

  /** Leadership lost: another replica may already be writing, so stop at once and exit. */
  lostLeadership(identity: string): never {
    this.options.metrics.setLeader(false);
    this.options.controller.queue.shutDown();
    this.options.logger.fatal({ identity }, 'leader election lost: exiting');
    this.options.logger.flush();
    return process.exit(1);
  }

  /** Serve health, start the informers and, once they have synced, campaign or work. */
  async run(): Promise<void> {
    const { logger, informers } = this.options;
    if (this.options.healthPort > 0) {
      const port = await this.health.listen(this.options.healthPort, this.options.healthBind);
      logger.info({ port, bind: this.options.healthBind }, 'health server listening');
    }
    process.on('SIGTERM', () => void this.shutdown('SIGTERM'));
    process.on('SIGINT', () => void this.shutdown('SIGINT'));

    await Promise.all(informers.map((i) => i.start()));
    await Promise.all(informers.map((i) => i.whenSynced()));
    if (this.stopping) return;
    if (this.elector) {
      logger.info(
        { identity: this.elector.identity },
        'caches synced; campaigning for the leader lease',
      );
      this.elector.start();
    } else {
      logger.info('caches synced; leader election off: starting workers');
      this.startedLeading();
    }
  }

  private ready(): Check {
    if (this.stopping) return { ok: false, reason: 'shutting down' };
    const waiting = this.options.informers.filter((i) => !i.hasSynced()).length;
    if (waiting > 0) return { ok: false, reason: `${waiting} informer(s) not synced` };
    if (this.elector?.getState() === 'lost') return { ok: false, reason: 'leader election lost' };
    return { ok: true };
  }

  private live(): Check {
    const stuck = this.options.informers.map((i) => i.health()).filter((h) => !h.ok);
    return stuck.length === 0
      ? { ok: true }
      : { ok: false, reason: stuck.map((h) => h.reason).join('; ') };
  }

  private async shutdown(signal: string): Promise<void> {
    const { logger, controller } = this.options;
    if (this.stopping) {
      logger.warn({ signal }, 'second signal: exiting at once');
      process.exit(1);
    }
    this.stopping = true;
    logger.info({ signal }, 'shutting down: draining the work queue');
    await Promise.all(this.options.informers.map((i) => i.stop()));
    // A standby's queue holds keys no worker will take: drop them rather than wait.
    if (this.working) await controller.shutdown();
    else controller.queue.shutDown();
    // Only once no pass is in flight: then a standby may take over at once.
    await this.elector?.release();
    this.options.metrics.setLeader(false);
    this.options.closeConnections();
    await this.health.close();
    logger.info('stopped');
    logger.flush();
    process.exit(0);
  }
}
