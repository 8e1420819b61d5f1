/**
 * The order CloudFormation gives a template's resources, as the lib tests ask about it: the
 * rehearsal's dependency graph (DependsOn, Ref, Fn::GetAtt and Fn::Sub), built from the template.
 */
import { buildGraph } from '../../tools/rehearsal/graph';
import type { TemplateResource } from '../../tools/rehearsal/template';
import type { Resources } from './template';

const graphOf = (resources: Resources) =>
  buildGraph(resources as Readonly<Record<string, TemplateResource>>);

/** The logical IDs `id` names directly: its `DependsOn`, and each reference in its properties. */
export function directDependencies(resources: Resources, id: string): readonly string[] {
  return graphOf(resources).dependenciesOf(id);
}

/** Every resource CloudFormation must create before `id`: its dependencies, transitively. */
export function transitiveDependencies(resources: Resources, id: string): ReadonlySet<string> {
  return graphOf(resources).transitiveDependenciesOf(id);
}

/** Whether `id` is created after `dependency` (and deleted before it). */
export function isOrderedAfter(resources: Resources, id: string, dependency: string): boolean {
  return transitiveDependencies(resources, id).has(dependency);
}
