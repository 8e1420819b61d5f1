/** Reading a rehearsal's report in the suites that run one. */
import type { Phase, RehearsalReport } from '../../../tools/rehearsal/report';

/** A whole rehearsal, with its plane's work, on a loaded 2-core machine. */
export const REHEARSAL_TIMEOUT_MS = 1_200_000;

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
