/**
 * The order CloudFormation gives a template's resources. A resource is created after, and deleted
 * before, every resource it names in `DependsOn` or through `Ref` / `Fn::GetAtt`, and so, in turn,
 * after everything those depend on.
 */
import type { Resources } from './template';

/** The logical IDs `id` names directly: its `DependsOn`, and each `Ref` or `Fn::GetAtt` in it. */
export function directDependencies(resources: Resources, id: string): string[] {
  const resource = resources[id];
  if (!resource) throw new Error(`no resource ${id} in the template`);
  const named = new Set(resource.DependsOn ?? []);
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') named.add(inner);
      else if (key === 'Fn::GetAtt' && Array.isArray(inner)) named.add(inner[0]);
      else visit(inner);
    }
  };
  visit(resource.Properties);
  // Parameters and pseudo parameters (AWS::Region) are Refs too, but not resources.
  return [...named].filter((name) => name in resources);
}

/** Every resource CloudFormation must create before `id`: its dependencies, transitively. */
export function transitiveDependencies(resources: Resources, id: string): Set<string> {
  const seen = new Set<string>();
  const pending = [id];
  while (pending.length > 0) {
    for (const next of directDependencies(resources, pending.pop()!)) {
      if (!seen.has(next)) {
        seen.add(next);
        pending.push(next);
      }
    }
  }
  return seen;
}

/** Whether `id` is created after `dependency` (and deleted before it). */
export function isOrderedAfter(resources: Resources, id: string, dependency: string): boolean {
  return transitiveDependencies(resources, id).has(dependency);
}
