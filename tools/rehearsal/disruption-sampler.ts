/**
 * Watches every pod while something disrupts them (a node group's rotation) and, at each change
 * the watch delivers, counts per PodDisruptionBudget how many of its pods are unavailable: the
 * workloads' replicas it covers minus its pods that are Ready and not terminating. A moment with
 * more than the budget allows is a violation. The budgets and replica counts are read again every
 * few seconds (an autoscaler may change them), never taken from the disruption controller.
 */
import type { AdminApi } from '../testplane/lib/admin-api';
import { allowedUnavailable, BudgetSpec, LabelSelector, selects } from './disruption-budget';
import type { Check } from './report';

interface Meta {
  name: string;
  namespace: string;
  uid: string;
  labels?: Record<string, string>;
  deletionTimestamp?: string;
  resourceVersion?: string;
}
interface Pod {
  metadata: Meta;
  status?: { conditions?: { type: string; status: string }[] };
}
interface Budget {
  metadata: Meta;
  spec: BudgetSpec;
}
interface Workload {
  metadata: Meta;
  spec: { replicas?: number; template: { metadata?: { labels?: Record<string, string> } } };
}
interface List<T> {
  metadata: { resourceVersion: string };
  items: T[];
}

/** One moment at which a budget was exceeded. */
export interface Violation {
  readonly at: number;
  readonly budget: string;
  readonly expected: number;
  readonly unavailable: number;
  readonly allowed: number;
}

/** The most unavailable pods seen under one budget. */
export interface Worst {
  readonly budget: string;
  readonly expected: number;
  readonly unavailable: number;
  readonly allowed: number;
}

const REFRESH_MS = 2_000;

export const BUDGETS_KEPT = 'no PodDisruptionBudget exceeded at any sampled moment';

export class DisruptionSampler {
  private readonly pods = new Map<string, Pod>();
  private budgets: { name: string; spec: BudgetSpec; namespace: string; expected: number }[] = [];
  private readonly violations: Violation[] = [];
  private readonly worst = new Map<string, Worst>();
  private samples = 0;
  private stopWatch?: () => void;
  private refresher?: NodeJS.Timeout;
  private watchError?: Error;
  private stopped = false;

  constructor(private readonly api: AdminApi) {}

  async start(): Promise<void> {
    await this.readBudgets();
    const list = await this.api.get<List<Pod>>('/api/v1/pods');
    for (const pod of list.items) this.pods.set(pod.metadata.uid, pod);
    this.sample();
    this.watchFrom(list.metadata.resourceVersion);
    this.refresher = setInterval(
      () => void this.readBudgets().catch((err: Error) => (this.watchError ??= err)),
      REFRESH_MS,
    );
  }

  /** Stops watching; the check says whether any sampled moment exceeded a budget. */
  stop(): Check {
    this.stopped = true;
    clearInterval(this.refresher);
    this.stopWatch?.();
    const name = BUDGETS_KEPT;
    if (this.watchError) return { name, ok: false, detail: `the watch failed: ${this.watchError}` };
    if (this.violations.length > 0) {
      const first = this.violations[0];
      return {
        name,
        ok: false,
        detail:
          `${this.violations.length} of ${this.samples} samples; first: ${first.budget} had ` +
          `${first.unavailable} of ${first.expected} unavailable, allows ${first.allowed}`,
      };
    }
    return { name, ok: true, detail: `${this.samples} samples; ${this.summary()}` };
  }

  /** Every moment a budget was exceeded, in order. */
  exceeded(): readonly Violation[] {
    return this.violations;
  }

  /** Per budget, the most unavailable pods seen. */
  worstSeen(): readonly Worst[] {
    return [...this.worst.values()];
  }

  private summary(): string {
    return [...this.worst.values()]
      .filter((w) => w.unavailable > 0)
      .map(
        (w) => `${w.budget} at most ${w.unavailable} of ${w.expected} down (allows ${w.allowed})`,
      )
      .join(', ');
  }

  private watchFrom(resourceVersion: string): void {
    this.stopWatch = this.api.watch(
      `/api/v1/pods?watch=true&resourceVersion=${resourceVersion}`,
      (event) => {
        const pod = event.object as Pod;
        if (event.type === 'DELETED') this.pods.delete(pod.metadata.uid);
        else if (event.type === 'ADDED' || event.type === 'MODIFIED')
          this.pods.set(pod.metadata.uid, pod);
        else return;
        this.sample();
      },
      (err) => {
        if (this.stopped) return;
        // The apiserver closes watches now and then: go on from the last version seen.
        if (err) this.watchError = err;
        else this.watchFrom(this.lastResourceVersion(resourceVersion));
      },
    );
  }

  private lastResourceVersion(fallback: string): string {
    const versions = [...this.pods.values()].map((p) => Number(p.metadata.resourceVersion ?? 0));
    return versions.length > 0 ? String(Math.max(...versions)) : fallback;
  }

  private async readBudgets(): Promise<void> {
    const [budgets, deployments, statefulSets] = await Promise.all([
      this.api.get<List<Budget>>('/apis/policy/v1/poddisruptionbudgets'),
      this.api.get<List<Workload>>('/apis/apps/v1/deployments'),
      this.api.get<List<Workload>>('/apis/apps/v1/statefulsets'),
    ]);
    const workloads = [...deployments.items, ...statefulSets.items];
    this.budgets = budgets.items.map((b) => ({
      name: `${b.metadata.namespace}/${b.metadata.name}`,
      namespace: b.metadata.namespace,
      spec: b.spec,
      expected: workloads
        .filter(
          (w) =>
            w.metadata.namespace === b.metadata.namespace &&
            selects(b.spec.selector as LabelSelector, w.spec.template.metadata?.labels ?? {}),
        )
        .reduce((sum, w) => sum + (w.spec.replicas ?? 1), 0),
    }));
  }

  private sample(): void {
    this.samples++;
    const at = Date.now();
    for (const budget of this.budgets) {
      const healthy = [...this.pods.values()].filter(
        (p) =>
          p.metadata.namespace === budget.namespace &&
          !p.metadata.deletionTimestamp &&
          selects(budget.spec.selector, p.metadata.labels ?? {}) &&
          p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      ).length;
      const unavailable = Math.max(0, budget.expected - healthy);
      const allowed = allowedUnavailable(budget.spec, budget.expected);
      const seen = { budget: budget.name, expected: budget.expected, unavailable, allowed };
      if (unavailable > (this.worst.get(budget.name)?.unavailable ?? -1))
        this.worst.set(budget.name, seen);
      if (unavailable > allowed) this.violations.push({ at, ...seen });
    }
  }
}
