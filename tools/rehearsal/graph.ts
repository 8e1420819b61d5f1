/**
 * CloudFormation's dependency graph of a template: a resource depends on every resource named
 * in its DependsOn and on every resource its properties reference through Ref, Fn::GetAtt or
 * Fn::Sub (`${X}` and `${X.Attr}`), at any depth. CloudFormation creates in that order, lets
 * resources without a path between them run at once, and deletes in the reverse order.
 */
import type { TemplateResource } from './template';

export interface ResourceGraph {
  /** Logical IDs in template order. */
  readonly ids: readonly string[];
  /** What `id` waits for, sorted. */
  dependenciesOf(id: string): readonly string[];
  /** What waits for `id`, sorted. */
  dependantsOf(id: string): readonly string[];
  /** Everything that must be created before `id`: its dependencies, transitively. */
  transitiveDependenciesOf(id: string): ReadonlySet<string>;
  /** A creation order: every resource after everything it depends on. */
  creationOrder(): readonly string[];
  /** The deletion order: the creation order reversed. */
  deletionOrder(): readonly string[];
}

export function buildGraph(resources: Readonly<Record<string, TemplateResource>>): ResourceGraph {
  const ids = Object.keys(resources);
  const deps = new Map<string, string[]>();
  for (const id of ids) {
    const { DependsOn, Properties } = resources[id];
    const named =
      DependsOn === undefined ? [] : typeof DependsOn === 'string' ? [DependsOn] : DependsOn;
    for (const target of named) {
      if (!(target in resources)) {
        throw new Error(`${id} DependsOn ${target}, which is not a resource of the template`);
      }
    }
    const referenced = [...referencesIn(Properties)].filter((name) => name in resources);
    deps.set(id, [...new Set([...named, ...referenced])].sort());
  }
  const dependants = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const [id, targets] of deps) for (const target of targets) dependants.get(target)!.push(id);
  const order = topologicalOrder(ids, deps);
  return {
    ids,
    dependenciesOf: (id) => deps.get(known(id)) ?? [],
    dependantsOf: (id) => (dependants.get(known(id)) ?? []).sort(),
    transitiveDependenciesOf: (id) => {
      const seen = new Set<string>();
      const pending = [known(id)];
      while (pending.length > 0) {
        for (const next of deps.get(pending.pop()!)!) {
          if (seen.has(next)) continue;
          seen.add(next);
          pending.push(next);
        }
      }
      return seen;
    },
    creationOrder: () => order,
    deletionOrder: () => [...order].reverse(),
  };

  function known(id: string): string {
    if (!deps.has(id)) throw new Error(`${id} is not a resource of the template`);
    return id;
  }
}

/**
 * Every name `value` refers to through Ref, Fn::GetAtt and Fn::Sub, pseudo parameters
 * (`AWS::Region`) and parameters included: the caller keeps the ones that are resources.
 */
export function referencesIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencesIn(item, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, arg] of Object.entries(value)) {
      if (key === 'Ref' && typeof arg === 'string') found.add(arg);
      else if (key === 'Fn::GetAtt') found.add(getAttTarget(arg));
      else if (key === 'Fn::Sub') subReferences(arg, found);
      else referencesIn(arg, found);
    }
  }
  return found;
}

function getAttTarget(arg: unknown): string {
  if (Array.isArray(arg) && typeof arg[0] === 'string') return arg[0];
  if (typeof arg === 'string') return arg.split('.')[0];
  throw new Error(
    `Fn::GetAtt takes [resource, attribute] or "resource.attribute", got ${JSON.stringify(arg)}`,
  );
}

/** `${Name}` and `${Name.Attr}` in the string; `${!Literal}` and the variables given are not references. */
function subReferences(arg: unknown, found: Set<string>): void {
  const [text, variables] = Array.isArray(arg) ? arg : [arg, {}];
  if (typeof text !== 'string')
    throw new Error(`Fn::Sub takes a string, got ${JSON.stringify(arg)}`);
  const local = new Set(Object.keys(variables ?? {}));
  for (const match of text.matchAll(/\$\{([^}!][^}]*)\}/g)) {
    const name = match[1].trim().split('.')[0];
    if (!local.has(name)) found.add(name);
  }
  referencesIn(variables, found);
}

/** Kahn's algorithm; ties are taken in template order so that a run is repeatable. */
function topologicalOrder(
  ids: readonly string[],
  deps: ReadonlyMap<string, readonly string[]>,
): string[] {
  const waiting = new Map(ids.map((id) => [id, deps.get(id)!.length]));
  const order: string[] = [];
  const done = new Set<string>();
  while (order.length < ids.length) {
    const ready = ids.filter((id) => !done.has(id) && waiting.get(id) === 0);
    if (ready.length === 0)
      throw new Error(`dependency cycle: ${findCycle(ids, deps, done).join(' -> ')}`);
    for (const id of ready) {
      done.add(id);
      order.push(id);
    }
    for (const id of ids) {
      if (!done.has(id)) waiting.set(id, deps.get(id)!.filter((d) => !done.has(d)).length);
    }
  }
  return order;
}

/** One cycle among the resources not yet ordered, first resource repeated at the end. */
function findCycle(
  ids: readonly string[],
  deps: ReadonlyMap<string, readonly string[]>,
  done: ReadonlySet<string>,
): string[] {
  const path: string[] = [];
  let at = ids.find((id) => !done.has(id))!;
  while (!path.includes(at)) {
    path.push(at);
    at = deps.get(at)!.find((d) => !done.has(d))!;
  }
  return [...path.slice(path.indexOf(at)), at];
}
