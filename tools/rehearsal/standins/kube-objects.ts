/** Kubernetes objects written and removed through kubectl, the way the stand-ins need them. */
import { kubectl } from '../../testplane/lib/kubectl';

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string } & Record<
    string,
    unknown
  >;
  readonly [field: string]: unknown;
}

/** What names one object: enough to find it again or to tell whose it is. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

export function refOf(object: KubeObject): ObjectRef {
  const { apiVersion, kind } = object;
  const { name, namespace } = object.metadata;
  return namespace === undefined
    ? { apiVersion, kind, name }
    : { apiVersion, kind, namespace, name };
}

/** `kubectl get` argument for one object, e.g. `deployment.v1.apps/coredns` or `service/kube-dns`. */
export function resourceArg(ref: ObjectRef): string {
  const [group, version] = ref.apiVersion.split('/');
  const kind = ref.kind.toLowerCase();
  return version === undefined ? `${kind}/${ref.name}` : `${kind}.${version}.${group}/${ref.name}`;
}

const list = (objects: readonly KubeObject[]): string =>
  JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects });

/**
 * Server-side apply as `fieldManager`, taking over fields others set: EKS installs and updates
 * add-ons this way (ResolveConflicts OVERWRITE).
 * @see https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-field-management.html
 */
export async function applyObjects(
  kubeconfig: string,
  fieldManager: string,
  objects: readonly KubeObject[],
): Promise<void> {
  const args = ['apply', '--server-side', '--force-conflicts', `--field-manager=${fieldManager}`];
  await kubectl(kubeconfig, [...args, '-f', '-'], list(objects));
}

/** Deletes the objects and waits until they are gone; ones already gone are fine. */
export async function deleteObjects(
  kubeconfig: string,
  objects: readonly KubeObject[],
): Promise<void> {
  await kubectl(
    kubeconfig,
    ['delete', '--ignore-not-found', '--wait=true', '-f', '-'],
    list(objects),
  );
}
