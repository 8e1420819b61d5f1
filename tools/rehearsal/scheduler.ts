/**
 * Runs resources as CloudFormation does: each starts as soon as everything it waits for has
 * finished, resources without a path between them run at the same time, and the first failure
 * stops new starts (the stack then rolls back); what is running still finishes.
 */
import type { RequestType } from './events';
import type { ResourceGraph } from './graph';
import type { StepRecord } from './report';

/** What an executor reports for one resource. */
export interface StepOutcome {
  /** The handler's (or stand-in's) own message when it failed. */
  readonly error?: string;
  /** Whether the step did something in Kubernetes, for the critical path. */
  readonly kubernetes: boolean;
  /** Nothing to do: its properties did not change (an update leaves it alone). */
  readonly unchanged?: boolean;
  /** Nothing done: its DeletionPolicy is Retain, so CloudFormation sends no Delete. */
  readonly retained?: boolean;
}

export interface Schedule {
  /** Create, Update or Delete per resource: one deployment may do all three. */
  readonly eventOf: (id: string) => RequestType;
  /** The resources to run, in a valid order (ties keep this order). */
  readonly ids: readonly string[];
  readonly typeOf: (id: string) => string;
  /** What `id` must wait for; only members of `ids` count. */
  readonly waitsFor: (id: string) => readonly string[];
  readonly run: (id: string) => Promise<StepOutcome>;
}

/** Creation and update wait for dependencies; deletion waits for dependants (reverse order). */
export function waitsForIn(
  graph: ResourceGraph,
  event: RequestType,
): (id: string) => readonly string[] {
  return event === 'Delete' ? (id) => graph.dependantsOf(id) : (id) => graph.dependenciesOf(id);
}

/** Runs the schedule; one record per resource in `ids`, in the order they were started. */
export async function runSchedule(schedule: Schedule): Promise<StepRecord[]> {
  const members = new Set(schedule.ids);
  const pending = new Set(schedule.ids);
  const done = new Set<string>();
  const running = new Map<string, Promise<void>>();
  const records: StepRecord[] = [];
  let failed = false;

  const start = (id: string) => {
    pending.delete(id);
    const started = Date.now();
    // Asked once, before the run: the run itself may change the answer (a Create makes it exist).
    const event = schedule.eventOf(id);
    const record = (outcome: StepOutcome) => {
      records.push({
        logicalId: id,
        resourceType: schedule.typeOf(id),
        event,
        startedAt: started,
        seconds: (Date.now() - started) / 1000,
        outcome:
          outcome.error !== undefined
            ? 'failed'
            : outcome.unchanged
              ? 'unchanged'
              : outcome.retained
                ? 'retained'
                : 'succeeded',
        kubernetes: outcome.kubernetes,
        ...(outcome.error !== undefined ? { error: outcome.error } : {}),
      });
      if (outcome.error !== undefined) failed = true;
      else done.add(id);
    };
    running.set(
      id,
      schedule
        .run(id)
        .catch((err: Error) => ({ error: err.message, kubernetes: true }))
        .then(record)
        .finally(() => running.delete(id)),
    );
  };

  for (;;) {
    if (!failed) {
      for (const id of schedule.ids) {
        if (
          pending.has(id) &&
          schedule.waitsFor(id).every((dep) => !members.has(dep) || done.has(dep))
        )
          start(id);
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  for (const id of schedule.ids) {
    if (pending.has(id)) {
      records.push({
        logicalId: id,
        resourceType: schedule.typeOf(id),
        event: schedule.eventOf(id),
        startedAt: 0,
        seconds: 0,
        outcome: 'not started',
        kubernetes: false,
      });
    }
  }
  return records;
}
