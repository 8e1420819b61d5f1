/**
 * After an update, whether the cluster holds exactly what each manifest of the new template
 * describes: the objects carrying a manifest's prune label, compared by kind, namespace and name
 * with the manifest's own objects. An extra one is something the update should have pruned.
 */
import { describeKey, keyOf, listObjectsNotDeleting, without } from './cluster-objects';
import type { Check } from './report';

export interface ManifestResource {
  readonly logicalId: string;
  readonly manifest: string;
  readonly pruneLabel: string;
}

export async function manifestMatchesCluster(
  kubeconfig: string,
  resource: ManifestResource,
): Promise<Check> {
  const wanted = (JSON.parse(resource.manifest) as Parameters<typeof keyOf>[0][]).map(keyOf);
  // One being deleted was pruned; it may wait for a finalizer (an Ingress for the LBC's).
  const live = await listObjectsNotDeleting(kubeconfig, resource.pruneLabel);
  const extra = without(live, wanted);
  const missing = without(wanted, live);
  const detail = [
    ...(extra.length > 0 ? [`not pruned: ${extra.map(describeKey).join(', ')}`] : []),
    ...(missing.length > 0 ? [`missing: ${missing.map(describeKey).join(', ')}`] : []),
  ].join('; ');
  return {
    name: `${resource.logicalId} is exactly its manifest`,
    ok: detail === '',
    ...(detail ? { detail } : {}),
  };
}
