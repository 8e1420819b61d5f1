/** Reading a rehearsal's report in the suites that run one. */
import type { NodeGroupTimings } from '../../../tools/rehearsal/node-group-updates';
import type { Phase, RehearsalReport } from '../../../tools/rehearsal/report';

/** A whole rehearsal, with its plane's work, on a loaded 2-core machine. */
export const REHEARSAL_TIMEOUT_MS = 1_200_000;

/**
 * EKS's node group timings (15 minutes for a drain, 60 s between a node's drain and its
 * termination) shortened for the suites: every budget there allows a drain within seconds, and
 * the order of the steps and every check stay the same. EKS's minute per node was most of the
 * upgrade suite's time.
 */
export const SUITE_NODE_GROUP_TIMINGS: NodeGroupTimings = {
  evictionBoundMs: 60_000,
  settleMs: 500,
  retryMs: 1_000,
};

/** The phase of that name; a missing one fails naming those there are. */
export function phase(report: RehearsalReport, name: string): Phase {
  const found = report.phases.find((p) => p.name === name);
  if (!found)
    throw new Error(`no phase "${name}" in ${report.phases.map((p) => p.name).join(', ')}`);
  return found;
}

/** The failed checks of a phase, as `name: detail`. */
export function failedChecks(p: Phase): string[] {
  return p.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
}
