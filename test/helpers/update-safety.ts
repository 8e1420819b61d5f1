/**
 * What a config change does to a chart's objects on the second `cdk deploy`: the fields
 * Kubernetes refuses to change in place, and the claims that cannot be resized as asked.
 */
import { quantityValue } from '../../controller/api';
import type { K8sObject } from './k8s';

/** Top-level spec fields, by kind, that the API server refuses to change after creation. */
const IMMUTABLE_SPEC_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['selector'],
  DaemonSet: ['selector'],
  ReplicaSet: ['selector'],
  StatefulSet: ['selector', 'serviceName', 'volumeClaimTemplates', 'podManagementPolicy'],
  Job: ['selector', 'template', 'completionMode'],
  PersistentVolume: ['csi', 'awsElasticBlockStore', 'hostPath', 'local', 'nfs'],
  PersistentVolumeClaim: ['accessModes', 'storageClassName', 'volumeName', 'volumeMode'],
  Service: ['clusterIP', 'clusterIPs'],
};

/** StorageClasses keep everything but their metadata and `allowVolumeExpansion`. */
const STORAGE_CLASS_IMMUTABLE = ['provisioner', 'parameters', 'reclaimPolicy', 'volumeBindingMode'];

const identity = (o: K8sObject): string =>
  `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

/**
 * The problems an update from `before` to `after` (one manifest's objects) runs into.
 * `expandableClasses` are the StorageClasses with `allowVolumeExpansion`: only their claims
 * can be resized.
 */
export function updateProblems(
  before: readonly K8sObject[],
  after: readonly K8sObject[],
  expandableClasses: ReadonlySet<string> = new Set(),
): string[] {
  const next = new Map(after.map((o) => [identity(o), o]));
  const problems: string[] = [];
  for (const old of before) {
    const id = identity(old);
    const updated = next.get(id);
    // A dropped object is deleted, whatever its kind (lib/chart-resources.ts).
    if (!updated) continue;
    for (const field of changedImmutableFields(old, updated)) {
      problems.push(`${id} changes ${field}, which cannot be updated in place`);
    }
    const resize = resizeProblem(old, updated, expandableClasses);
    if (resize) problems.push(`${id} ${resize}`);
  }
  return problems;
}

function changedImmutableFields(old: K8sObject, updated: K8sObject): string[] {
  const [a, b, fields] =
    old.kind === 'StorageClass'
      ? [old, updated, STORAGE_CLASS_IMMUTABLE]
      : [old.spec ?? {}, updated.spec ?? {}, IMMUTABLE_SPEC_FIELDS[old.kind] ?? []];
  return fields
    .filter((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f]))
    .map((f) => (old.kind === 'StorageClass' ? f : `spec.${f}`));
}

/** A bound claim can grow, if its class allows it, but never shrink. */
function resizeProblem(
  old: K8sObject,
  updated: K8sObject,
  expandableClasses: ReadonlySet<string>,
): string | undefined {
  if (old.kind !== 'PersistentVolumeClaim') return undefined;
  const from: string = old.spec.resources.requests.storage;
  const to: string = updated.spec.resources.requests.storage;
  if (from === to) return undefined;
  if (quantityValue(to)! < quantityValue(from)!)
    return `shrinks its storage request ${from} → ${to}`;
  const storageClass: string = old.spec.storageClassName;
  return expandableClasses.has(storageClass)
    ? undefined
    : `grows ${from} → ${to}, but its class "${storageClass}" does not allow expansion`;
}
