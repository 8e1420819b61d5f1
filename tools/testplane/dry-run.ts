import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { kubectl, KubectlError } from './lib/kubectl';

/** An object that cannot be validated on the test plane, and why. */
export interface Exclusion {
  readonly kind: string;
  /** Narrows the match; every given field must match. */
  readonly apiVersion?: string;
  readonly name?: string;
  readonly namespace?: string;
  /** Required: an exclusion without a reason is how real rejections get hidden. */
  readonly reason: string;
}

export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** `file#index` of the YAML document, for error messages. */
  readonly source: string;
  readonly body: Record<string, unknown>;
}

export interface DryRunOptions {
  readonly exclusions?: readonly Exclusion[];
  /**
   * Namespaces the target cluster already has although no manifest declares them (for
   * example made by the CDK app); created for real before the dry run.
   */
  readonly existingNamespaces?: readonly string[];
}

export interface DryRunResult {
  readonly checked: readonly ManifestObject[];
  readonly rejected: readonly { readonly object: ManifestObject; readonly message: string }[];
  readonly excluded: readonly { readonly object: ManifestObject; readonly reason: string }[];
  /** Exclusions that matched nothing: stale, and should be deleted. */
  readonly unusedExclusions: readonly Exclusion[];
}

// CRDs and namespaces must exist for real, or every object that needs them is rejected with
// "not found" under a dry run. They are validated by being created.
const PREREQUISITE_KINDS = new Set(['CustomResourceDefinition', 'Namespace']);
// Objects applied one by one, after a rejection: leaves CPU for the apiserver on 2 cores.
const CONCURRENCY = 2;

/**
 * Validates every object of `yamlFiles` against the plane's apiserver with
 * `kubectl apply --dry-run=server`: all in one kubectl, then one by one if any is rejected.
 * Client-side apply, because that is what the CDK kubectl handler runs (it also catches objects
 * too big for the last-applied annotation).
 */
export async function dryRunAll(
  kubeconfig: string,
  yamlFiles: readonly string[],
  options: DryRunOptions = {},
): Promise<DryRunResult> {
  const exclusions = options.exclusions ?? [];
  for (const exclusion of exclusions) {
    if (!exclusion.reason.trim()) throw new Error(`exclusion of ${exclusion.kind} has no reason`);
  }
  const used = new Set<Exclusion>();
  const checked: ManifestObject[] = [];
  const excluded: { object: ManifestObject; reason: string }[] = [];
  for (const object of yamlFiles.flatMap(loadObjects)) {
    const exclusion = exclusions.find((e) => matches(e, object));
    if (exclusion) {
      used.add(exclusion);
      excluded.push({ object, reason: exclusion.reason });
    } else {
      checked.push(object);
    }
  }

  const rejected: { object: ManifestObject; message: string }[] = [];
  const apply = async (object: ManifestObject, extraArgs: string[]): Promise<void> => {
    try {
      await kubectl(kubeconfig, ['apply', ...extraArgs, '-f', '-'], JSON.stringify(object.body));
    } catch (err) {
      if (!(err instanceof KubectlError)) throw err;
      rejected.push({ object, message: err.stderr.trim() });
    }
  };
  // One kubectl for all the objects: a kubectl process costs a tenth of a CPU second. Which
  // object it rejected, kubectl says only in prose, so after a failure each is applied alone.
  const applyAll = async (objects: ManifestObject[], extraArgs: string[]): Promise<void> => {
    if (objects.length === 0) return;
    const list = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: objects.map((o) => o.body),
    });
    try {
      await kubectl(kubeconfig, ['apply', ...extraArgs, '-f', '-'], list);
    } catch (err) {
      if (!(err instanceof KubectlError)) throw err;
      await inBatches(objects, (object) => apply(object, extraArgs));
    }
  };

  for (const namespace of options.existingNamespaces ?? []) {
    await kubectl(kubeconfig, ['create', 'namespace', namespace]);
  }
  const prerequisites = checked.filter((o) => PREREQUISITE_KINDS.has(o.kind));
  await applyAll(prerequisites, []);
  const crds = prerequisites.filter((o) => o.kind === 'CustomResourceDefinition');
  if (crds.length > 0) {
    const names = crds.map((crd) => `crd/${crd.name}`);
    await kubectl(kubeconfig, ['wait', '--for=condition=Established', '--timeout=60s', ...names]);
  }
  const rest = checked.filter((o) => !PREREQUISITE_KINDS.has(o.kind));
  await applyAll(rest, ['--dry-run=server']);

  return {
    checked,
    rejected,
    excluded,
    unusedExclusions: exclusions.filter((e) => !used.has(e)),
  };
}

/** One line per rejection, for a failing test's message. */
export function describeRejections(result: DryRunResult): string {
  return result.rejected
    .map(({ object, message }) => `${describeObject(object)}: ${message}`)
    .join('\n');
}

export function describeObject(object: ManifestObject): string {
  const ns = object.namespace ? `${object.namespace}/` : '';
  return `${object.kind} ${ns}${object.name} (${object.source})`;
}

function loadObjects(file: string): ManifestObject[] {
  const docs = parseAllDocuments(fs.readFileSync(file, 'utf8'));
  return docs.flatMap((doc, index) => {
    const source = `${path.basename(file)}#${index}`;
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0].message}`);
    const body = doc.toJS() as Record<string, unknown> | null;
    if (body === null) return [];
    const metadata = (body.metadata ?? {}) as { name?: string; namespace?: string };
    if (typeof body.kind !== 'string' || typeof body.apiVersion !== 'string' || !metadata.name) {
      throw new Error(`${source}: not a Kubernetes object (needs apiVersion, kind, metadata.name)`);
    }
    return [
      {
        apiVersion: body.apiVersion,
        kind: body.kind,
        name: metadata.name,
        namespace: metadata.namespace,
        source,
        body,
      },
    ];
  });
}

function matches(exclusion: Exclusion, object: ManifestObject): boolean {
  return (
    exclusion.kind === object.kind &&
    (exclusion.apiVersion === undefined || exclusion.apiVersion === object.apiVersion) &&
    (exclusion.name === undefined || exclusion.name === object.name) &&
    (exclusion.namespace === undefined || exclusion.namespace === object.namespace)
  );
}

async function inBatches<T>(items: readonly T[], run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += CONCURRENCY) {
    await Promise.all(items.slice(i, i + CONCURRENCY).map(run));
  }
}
