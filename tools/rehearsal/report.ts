/**
 * What a rehearsal prints: per phase a table of resource, event, seconds and outcome, the
 * critical path (the longest chain of steps that had to run one after another), the checks
 * made between steps, and the leftovers. Any failure or leftover makes the exit code non-zero.
 */
import type { RequestType } from './events';

export type Outcome = 'succeeded' | 'failed' | 'not started' | 'unchanged' | 'retained';

export interface StepRecord {
  readonly logicalId: string;
  readonly resourceType: string;
  readonly event: RequestType;
  /** When it started (ms since the epoch), to show the order it ran in. */
  readonly startedAt: number;
  readonly seconds: number;
  readonly outcome: Outcome;
  /** The handler's own message, for a failed step. */
  readonly error?: string;
  /** Whether it touched Kubernetes (a handler, add-on or waiter step) rather than an AWS no-op. */
  readonly kubernetes: boolean;
}

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

export interface Phase {
  readonly name: string;
  readonly steps: readonly StepRecord[];
  readonly checks: readonly Check[];
  /** For the critical path: what each resource of this phase had to wait for. */
  readonly waitsFor: (logicalId: string) => readonly string[];
}

export interface CriticalPath {
  readonly chain: readonly string[];
  readonly seconds: number;
}

/**
 * The chain of Kubernetes steps with the largest total time in which each waited for the one
 * before (through any number of instant AWS steps between them).
 */
export function criticalPath(phase: Pick<Phase, 'steps' | 'waitsFor'>): CriticalPath {
  const byId = new Map(phase.steps.map((s) => [s.logicalId, s]));
  const best = new Map<string, CriticalPath>();
  const longest = (id: string, visiting: Set<string>): CriticalPath => {
    const known = best.get(id);
    if (known) return known;
    if (visiting.has(id)) throw new Error(`dependency cycle through ${id}`);
    visiting.add(id);
    let before: CriticalPath = { chain: [], seconds: 0 };
    for (const dep of phase.waitsFor(id)) {
      if (!byId.has(dep)) continue;
      const candidate = longest(dep, visiting);
      if (
        candidate.seconds > before.seconds ||
        (candidate.seconds === before.seconds && candidate.chain.length > before.chain.length)
      )
        before = candidate;
    }
    visiting.delete(id);
    const step = byId.get(id)!;
    const own = step.kubernetes
      ? { chain: [...before.chain, id], seconds: before.seconds + step.seconds }
      : before;
    best.set(id, own);
    return own;
  };
  let result: CriticalPath = { chain: [], seconds: 0 };
  for (const step of phase.steps) {
    const path = longest(step.logicalId, new Set());
    if (
      path.seconds > result.seconds ||
      (path.seconds === result.seconds && path.chain.length > result.chain.length)
    )
      result = path;
  }
  return result;
}

export interface RehearsalReport {
  /** What the reader must know to read the rest, one line each. */
  readonly notes: readonly string[];
  readonly phases: readonly Phase[];
  /** Objects still in the cluster when its Delete ran: on EKS they go with it. */
  readonly wentWithCluster: readonly string[];
  /** What outlives destroy: AWS resources and what holds them, or any object if the cluster stayed. */
  readonly leftovers: readonly string[];
}

/** Every failed step, failed check and leftover, one line each; empty when all went well. */
export function problems(report: RehearsalReport): string[] {
  return [
    ...report.phases.flatMap((phase) => [
      ...phase.steps
        .filter((s) => s.outcome === 'failed')
        .map(
          (s) =>
            `${phase.name}: ${s.event} ${s.logicalId} (${s.resourceType}) failed: ${headline(s.error)}`,
        ),
      ...phase.checks
        .filter((c) => !c.ok)
        .map((c) => `${phase.name}: check failed: ${c.name}${c.detail ? `: ${c.detail}` : ''}`),
    ]),
    ...report.leftovers.map((left) => `leftover after destroy: ${left}`),
  ];
}

export function exitCode(report: RehearsalReport): number {
  return problems(report).length > 0 ? 1 : 0;
}

export function renderReport(report: RehearsalReport): string {
  const out = report.notes.map((note) => `note: ${note}`);
  for (const phase of report.phases) {
    out.push(`== ${phase.name}`);
    // Instant AWS no-ops and unchanged resources count for the critical path but say nothing.
    const shown = phase.steps.filter(
      (s) =>
        s.outcome === 'failed' ||
        s.outcome === 'not started' ||
        (s.kubernetes && s.outcome !== 'unchanged'),
    );
    if (shown.length > 0) {
      out.push(
        table(
          ['resource', 'type', 'event', 'seconds', 'outcome'],
          shown.map((s) => [s.logicalId, s.resourceType, s.event, s.seconds.toFixed(1), s.outcome]),
        ),
      );
      const hidden = phase.steps.length - shown.length;
      if (hidden > 0) out.push(`(${hidden} instant AWS or unchanged resources not shown)`);
      const path = criticalPath(phase);
      out.push(
        `critical path: ${path.chain.length} steps, ${path.seconds.toFixed(1)} s` +
          (path.chain.length > 0 ? `: ${path.chain.join(' -> ')}` : ''),
      );
    }
    for (const check of phase.checks) {
      out.push(
        `${check.ok ? 'ok  ' : 'FAIL'} ${check.name}${check.detail ? `: ${check.detail}` : ''}`,
      );
    }
  }
  if (report.wentWithCluster.length > 0)
    out.push(
      '== went with the cluster (on EKS, deleting it deletes them)',
      ...report.wentWithCluster,
    );
  const found = problems(report);
  out.push(found.length === 0 ? 'rehearsal passed' : `rehearsal FAILED (${found.length}):`);
  out.push(...found.map((line) => `  ${line}`));
  return `${out.join('\n')}\n`;
}

/** The line that says what went wrong: the first naming an error, else the first. */
function headline(text = ''): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return lines.find((line) => /error|failed/i.test(line)) ?? lines[0] ?? '(no message)';
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
