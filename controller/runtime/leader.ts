/**
 * Leader election on a `coordination.k8s.io/v1` Lease, with client-go's semantics
 * (tools/leaderelection):
 *
 * - a candidate takes the Lease when it is free (no holder) or expired: its record has not changed
 *   for `leaseDurationSeconds`, as measured on this process's clock since it last saw the record
 *   change (so clocks of different machines never need to agree);
 * - every write carries the resourceVersion last read, so of two candidates racing for an expired
 *   Lease exactly one wins; the other gets 409 Conflict and stays a candidate;
 * - the leader renews every retry period; if no renewal has succeeded for the renew deadline, it
 *   stops leading at once, even while a request is still hanging. The deadline counts from the
 *   renewTime written, stamped before the request is sent, not from when the answer arrives: a
 *   standby counts the lease duration from when it sees that write, which can be long before a
 *   slow answer reaches the leader;
 * - on shutdown the leader releases the Lease (empty holder, duration 1 s), so a standby takes
 *   over at its next retry instead of after the lease duration.
 */
import type { V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { LEASE_NAME } from '../api';
import { isAlreadyExists, isConflict } from '../kube/errors';
import type { LeaseApi } from '../kube/ports';
import { heldRecord, newLease, recordVersion, releasedLease } from './lease-record';

/** client-go's defaults (and those of kube-controller-manager). */
export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;
/** client-go's JitterFactor for the acquire loop: waits are retryPeriod * [1, 2.2). */
export const ACQUIRE_JITTER_FACTOR = 1.2;

export interface LeaderElectorOptions {
  readonly api: LeaseApi;
  readonly namespace: string;
  /** @default LEASE_NAME */
  readonly name?: string;
  /** Unique per process: the pod name plus a random suffix. */
  readonly identity: string;
  readonly logger: Logger;
  /** @default DEFAULT_LEASE_DURATION_MS */
  readonly leaseDurationMs?: number;
  /** @default DEFAULT_RENEW_DEADLINE_MS */
  readonly renewDeadlineMs?: number;
  /** @default DEFAULT_RETRY_PERIOD_MS */
  readonly retryPeriodMs?: number;
  /** Called when this process becomes the leader. */
  readonly onStartedLeading: () => void;
  /** Called once when this process stops leading for any reason other than `release()`. */
  readonly onStoppedLeading: () => void;
  /** Called when the observed holder changes (including to this process). */
  readonly onNewLeader?: (identity: string) => void;
  /** @default Math.random */
  readonly random?: () => number;
}

export type LeaderState = 'candidate' | 'leader' | 'lost' | 'stopped';

export class LeaderElector {
  private readonly api: LeaseApi;
  private readonly namespace: string;
  private readonly name: string;
  readonly identity: string;
  private readonly logger: Logger;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly random: () => number;
  private state: LeaderState = 'candidate';
  private running?: Promise<void>;
  private sleepTimer?: NodeJS.Timeout;
  private wake?: () => void;
  private deadlineTimer?: NodeJS.Timeout;
  /** The last Lease read or written, and when (local clock) its record last changed. */
  private observed?: V1Lease;
  private observedRecord = '';
  private observedTime = 0;
  private lastHolder = '';

  constructor(private readonly options: LeaderElectorOptions) {
    this.api = options.api;
    this.namespace = options.namespace;
    this.name = options.name ?? LEASE_NAME;
    this.identity = options.identity;
    this.logger = options.logger.child({ lease: `${this.namespace}/${this.name}` });
    this.leaseDurationMs = options.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
    this.renewDeadlineMs = options.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
    this.retryPeriodMs = options.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
    this.random = options.random ?? Math.random;
    if (this.identity === '') throw new Error('identity must not be empty');
    if (this.leaseDurationMs <= this.renewDeadlineMs) {
      throw new Error(
        `leaseDurationMs must be greater than renewDeadlineMs, got ${this.leaseDurationMs} and ${this.renewDeadlineMs}`,
      );
    }
    if (this.renewDeadlineMs <= ACQUIRE_JITTER_FACTOR * this.retryPeriodMs) {
      throw new Error(
        `renewDeadlineMs must be greater than ${ACQUIRE_JITTER_FACTOR} * retryPeriodMs, got ${this.renewDeadlineMs} and ${this.retryPeriodMs}`,
      );
    }
    if (this.leaseDurationMs % 1000 !== 0) {
      throw new Error(`leaseDurationMs must be whole seconds, got ${this.leaseDurationMs}`);
    }
  }

  isLeader(): boolean {
    return this.state === 'leader';
  }

  getState(): LeaderState {
    return this.state;
  }

  /** The holder this process last saw in the Lease ('' for none). */
  leader(): string {
    return this.lastHolder;
  }

  /** Start campaigning; runs until `release()` or until leadership is lost. */
  start(): void {
    if (this.running) throw new Error('the elector is already running');
    this.running = this.loop();
  }

  /** Resolves when the loop has ended. */
  whenStopped(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /**
   * Stop campaigning and, if leading, give the Lease up so that a standby takes it at once.
   * Call after the work the Lease protects has stopped.
   */
  async release(): Promise<void> {
    const lost = this.state === 'lost';
    this.state = 'stopped';
    this.clearDeadline();
    this.interruptSleep();
    // A request may hang while the apiserver is unreachable: give up after a renew deadline (the
    // Lease then expires on its own) rather than hold up the shutdown.
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), this.renewDeadlineMs);
    });
    const released = (async () => {
      await this.running;
      await this.giveUpLease(lost);
      return false;
    })();
    if (await Promise.race([released, gaveUp])) {
      this.logger.warn('could not release the lease in time; standbys wait for it to expire');
    }
    clearTimeout(timer);
  }

  private async giveUpLease(lost: boolean): Promise<void> {
    // Held by us (also when an acquire completed while stopping), and not lost to another.
    if (lost || !this.observed || this.observed.spec?.holderIdentity !== this.identity) return;
    const body = releasedLease(this.observed, new Date());
    try {
      await this.api.replaceLease(this.namespace, this.name, body);
      this.logger.info({ identity: this.identity }, 'released the lease');
    } catch (err) {
      this.logger.warn({ err }, 'could not release the lease; standbys wait for it to expire');
    }
  }

  private async loop(): Promise<void> {
    // Acquire: retry with jitter until this process holds the Lease.
    while (this.state === 'candidate') {
      const heldSince = await this.tryAcquireOrRenew();
      if (heldSince !== undefined) {
        if (this.state !== 'candidate') break;
        if (this.deadlineLeftMs(heldSince) > 0) {
          this.state = 'leader';
          this.armDeadline(heldSince);
          this.logger.info({ identity: this.identity }, 'acquired the lease; leading');
          this.options.onStartedLeading();
          break;
        }
        // A standby may already count this write as expired: do not act on it; renew first.
        this.logger.warn(
          { renewDeadlineMs: this.renewDeadlineMs },
          'acquired the lease, but the answer came after the renew deadline; not leading yet',
        );
      }
      await this.sleep(this.retryPeriodMs * (1 + this.random() * ACQUIRE_JITTER_FACTOR));
    }
    // Renew: every retry period; the deadline timer ends leadership if renewals stop succeeding.
    while (this.state === 'leader') {
      await this.sleep(this.retryPeriodMs);
      if (this.state !== 'leader') break;
      const renewedAt = await this.tryAcquireOrRenew();
      if (renewedAt !== undefined) {
        if (this.state === 'leader') this.armDeadline(renewedAt);
      } else if (this.state === 'leader' && this.lastHolder !== this.identity) {
        // Someone else holds a valid Lease: no point waiting for the deadline.
        this.lose(`the lease is held by ${this.lastHolder || 'nobody'}`);
      }
    }
  }

  /**
   * One attempt to take or keep the Lease. Returns the renewTime written (epoch ms, this
   * process's clock) if this process holds the Lease afterwards, else undefined.
   */
  private async tryAcquireOrRenew(): Promise<number | undefined> {
    const now = new Date();
    const record = (old?: V1Lease) => heldRecord(this.identity, this.leaseDurationMs, now, old);
    try {
      const current = await this.api.getLease(this.namespace, this.name);
      if (!current) {
        const created = await this.api.createLease(
          this.namespace,
          newLease(this.namespace, this.name, record()),
        );
        this.observe(created);
        return now.getTime();
      }
      this.observe(current);
      const holder = current.spec?.holderIdentity ?? '';
      const durationMs = (current.spec?.leaseDurationSeconds ?? 0) * 1000;
      const valid = this.observedTime + durationMs > Date.now();
      if (holder !== '' && holder !== this.identity && valid) return undefined;
      const updated = await this.api.replaceLease(this.namespace, this.name, {
        ...structuredClone(current),
        spec: record(current),
      });
      this.observe(updated);
      return now.getTime();
    } catch (err) {
      if (isConflict(err) || isAlreadyExists(err)) {
        this.logger.debug({ err }, 'lost a race for the lease');
      } else {
        this.logger.warn({ err }, 'could not get or update the lease');
      }
      return undefined;
    }
  }

  private observe(lease: V1Lease): void {
    const record = recordVersion(lease);
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedTime = Date.now();
    }
    this.observed = lease;
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder !== this.lastHolder) {
      this.lastHolder = holder;
      if (holder !== '') this.logger.info({ leader: holder }, 'new leader observed');
      this.options.onNewLeader?.(holder);
    }
  }

  /** How long leading on a renewal written at `renewedAt` may go on; ≤ 0 when it may not. */
  private deadlineLeftMs(renewedAt: number): number {
    return renewedAt + this.renewDeadlineMs - Date.now();
  }

  /** End leadership a renew deadline after `renewedAt`, unless a later renewal re-arms it. */
  private armDeadline(renewedAt: number): void {
    this.clearDeadline();
    const why = `no renewal succeeded within ${this.renewDeadlineMs} ms`;
    const left = this.deadlineLeftMs(renewedAt);
    if (left <= 0) {
      this.lose(`${why}: the last renewal's answer came too late`);
      return;
    }
    this.deadlineTimer = setTimeout(() => this.lose(why), left);
  }

  private clearDeadline(): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
  }

  private lose(why: string): void {
    if (this.state !== 'leader') return;
    this.state = 'lost';
    this.clearDeadline();
    this.interruptSleep();
    this.logger.error({ identity: this.identity, why }, 'lost the lease; stopped leading');
    this.options.onStoppedLeading();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.sleepTimer = setTimeout(() => {
        this.sleepTimer = undefined;
        this.wake = undefined;
        resolve();
      }, ms);
    });
  }

  private interruptSleep(): void {
    if (this.sleepTimer) clearTimeout(this.sleepTimer);
    this.sleepTimer = undefined;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
