/**
 * One stack's life as CloudFormation runs it: a deployment creates what is new, updates what
 * changed (with OldResourceProperties) and then deletes what the template dropped; destroy
 * deletes everything in reverse order. Each Delete is followed by a look at what it left.
 */
import { randomUUID } from 'node:crypto';
import { propertiesChanged, RequestType } from './events';
import {
  execute,
  ExecutorContext,
  KUBECTL_PROVIDER_TYPES,
  RESOLVED_TYPES,
  ResourceStep,
} from './executors';
import { buildGraph, ResourceGraph } from './graph';
import { cleanupDutiesLeft } from './cleanup-duties';
import { helmReleaseLeft, manifestObjectsLeft } from './delete-checks';
import { Intrinsics } from './intrinsics';
import type { Check, Phase, StepRecord } from './report';
import { runSchedule, StepOutcome } from './scheduler';
import type { CfnTemplate } from './template';

interface Deployed {
  readonly type: string;
  /** Resolved properties, for the resource types the rehearsal runs; AWS no-ops keep none. */
  readonly properties?: Readonly<Record<string, unknown>>;
  readonly physicalId: string;
  /** Its DeletionPolicy is Retain: removing it from the stack leaves it be. */
  readonly retain: boolean;
}

/** What CloudFormation remembers of the stack between deployments. */
export class StackState {
  readonly resources = new Map<string, Deployed>();
  readonly data = new Map<string, Readonly<Record<string, unknown>>>();
  graph?: ResourceGraph;
}

export async function deploy(
  state: StackState,
  template: CfnTemplate,
  name: string,
  ctx: ExecutorContext,
): Promise<Phase> {
  const graph = buildGraph(template.Resources);
  const intrinsics = new Intrinsics(template, state.data);
  const checks: Check[] = [];
  const typeOf = (id: string) => template.Resources[id].Type;
  const eventOf = (id: string): RequestType => (state.resources.has(id) ? 'Update' : 'Create');
  const steps = await runSchedule({
    ids: graph.creationOrder(),
    typeOf,
    eventOf,
    waitsFor: (id) => graph.dependenciesOf(id),
    run: async (id): Promise<StepOutcome> => {
      const type = typeOf(id);
      const properties = RESOLVED_TYPES.has(type)
        ? (intrinsics.resolve(template.Resources[id].Properties ?? {}, id) as Record<
            string,
            unknown
          >)
        : undefined;
      const before = state.resources.get(id);
      if (before && !propertiesChanged(before.properties, properties))
        return { kubernetes: false, unchanged: true };
      const requestId = randomUUID();
      const result = await execute(
        {
          event: eventOf(id),
          logicalId: id,
          type,
          properties: properties ?? {},
          ...(before?.properties ? { oldProperties: before.properties } : {}),
          ...(before ? { physicalId: before.physicalId } : {}),
          requestId,
        },
        ctx,
      );
      // A failed Create is still the stack's: the rollback sends it a Delete.
      if (result.error === undefined || !before) {
        state.resources.set(id, {
          type,
          properties,
          physicalId: before?.physicalId ?? requestId,
          retain: template.Resources[id].DeletionPolicy === 'Retain',
        });
      }
      if (result.data) state.data.set(id, result.data);
      return result;
    },
  });
  const previous = state.graph;
  state.graph = graph;
  const removed = [...state.resources.keys()].filter((id) => !(id in template.Resources));
  if (removed.length === 0 || steps.some((s) => s.outcome === 'failed') || !previous) {
    return { name, steps, checks, waitsFor: (id) => graph.dependenciesOf(id) };
  }
  // The clean-up phase of an update: what the new template dropped, in reverse order.
  const cleanup = await deleteResources(state, removed, previous, checks, ctx);
  return {
    name,
    steps: [...steps, ...cleanup],
    checks,
    waitsFor: (id) =>
      id in template.Resources ? graph.dependenciesOf(id) : previous.dependantsOf(id),
  };
}

export async function destroy(
  state: StackState,
  name: string,
  ctx: ExecutorContext,
): Promise<Phase> {
  const graph = state.graph;
  if (!graph) throw new Error('destroy before any deployment');
  const checks: Check[] = [];
  const steps = await deleteResources(state, [...state.resources.keys()], graph, checks, ctx);
  return { name, steps, checks, waitsFor: (id) => graph.dependantsOf(id) };
}

async function deleteResources(
  state: StackState,
  ids: readonly string[],
  graph: ResourceGraph,
  checks: Check[],
  ctx: ExecutorContext,
): Promise<StepRecord[]> {
  const types = new Map(ids.map((id) => [id, state.resources.get(id)!.type]));
  return runSchedule({
    ids: graph.deletionOrder().filter((id) => types.has(id)),
    typeOf: (id) => types.get(id)!,
    eventOf: () => 'Delete',
    waitsFor: (id) => graph.dependantsOf(id),
    run: async (id) => {
      const deployed = state.resources.get(id)!;
      if (deployed.retain) {
        state.resources.delete(id);
        state.data.delete(id);
        return { kubernetes: false, retained: true };
      }
      const step: ResourceStep = {
        event: 'Delete',
        logicalId: id,
        type: deployed.type,
        properties: deployed.properties ?? {},
        physicalId: deployed.physicalId,
        requestId: randomUUID(),
      };
      const duties = await cleanupDutiesLeft(step, ctx.handler.kubeconfig);
      if (duties) {
        checks.push({
          name: `nothing ${duties.controller} cleans up is left when ${id} goes`,
          ok: duties.left.length === 0,
          ...(duties.left.length > 0 ? { detail: `still there: ${duties.left.join(', ')}` } : {}),
        });
      }
      const result = await execute(step, ctx);
      if (result.error !== undefined) return result;
      state.resources.delete(id);
      state.data.delete(id);
      const left = await leftBehind(step, ctx.handler.kubeconfig);
      if (left !== undefined) {
        checks.push({
          name: `Delete ${id} removed its objects`,
          ok: left.length === 0,
          ...(left.length > 0 ? { detail: `still there: ${left.join(', ')}` } : {}),
        });
      }
      return result;
    },
  });
}

async function leftBehind(step: ResourceStep, kubeconfig: string): Promise<string[] | undefined> {
  if (step.type === KUBECTL_PROVIDER_TYPES[0])
    return manifestObjectsLeft(kubeconfig, String(step.properties.Manifest));
  if (step.type === KUBECTL_PROVIDER_TYPES[1]) {
    return helmReleaseLeft(
      kubeconfig,
      String(step.properties.Release),
      String(step.properties.Namespace ?? 'default'),
    );
  }
  return undefined;
}
