/**
 * The objects in the cluster, by kind, namespace and name: for the leftovers check after
 * destroy and for comparing a manifest with what carries its prune label after an update.
 */
import { kubectl } from '../testplane/lib/kubectl';

export interface ObjectKey {
  /** `group/Kind`, `Kind` for the core group. */
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** Derived or bookkeeping objects, made and removed by controllers, never by a manifest. */
const IGNORED = new Set([
  'Event',
  'events.k8s.io/Event',
  'coordination.k8s.io/Lease',
  'discovery.k8s.io/EndpointSlice',
  'Endpoints',
  // A Service's ClusterIP allocation: it goes with its Service.
  'networking.k8s.io/IPAddress',
  // The node group's machines: EC2 and EKS launch and terminate them.
  'Node',
]);

/** The APIServices the aggregator registers by itself for every built-in and CRD group. */
const AUTOMANAGED = 'kube-aggregator.kubernetes.io/automanaged';

interface Listed {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    ownerReferences?: unknown[];
    labels?: Record<string, string>;
  };
}

export function keyOf(object: Listed): ObjectKey {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
  const kind = group ? `${group}/${object.kind}` : object.kind;
  const { name, namespace } = object.metadata;
  return namespace ? { kind, namespace, name } : { kind, name };
}

export function describeKey(key: ObjectKey): string {
  return key.namespace ? `${key.kind} ${key.namespace}/${key.name}` : `${key.kind} ${key.name}`;
}

/**
 * Every listable object (optionally only those matching `selector`) that nothing owns, and
 * not of a bookkeeping kind: pods, ReplicaSets and the like go with their owner, which is
 * what a manifest or a leftover is about.
 */
export async function listObjects(kubeconfig: string, selector?: string): Promise<ObjectKey[]> {
  return (await listTopLevel(kubeconfig, selector)).map(keyOf);
}

/** The uid of each object {@link listObjects} lists, by its {@link describeKey}. */
export async function objectUids(kubeconfig: string): Promise<Map<string, string>> {
  return new Map(
    (await listTopLevel(kubeconfig)).map((item) => [describeKey(keyOf(item)), item.metadata.uid!]),
  );
}

async function listTopLevel(kubeconfig: string, selector?: string): Promise<Listed[]> {
  const aggregated = await aggregatedGroups(kubeconfig);
  const resources = (await kubectl(kubeconfig, ['api-resources', '--verbs=list', '-o', 'name']))
    .split('\n')
    .filter((r) => r !== '' && r !== 'events' && r !== 'events.events.k8s.io')
    .filter((r) => !aggregated.has(r.split('.').slice(1).join('.')));
  const args = [
    'get',
    resources.join(','),
    '--all-namespaces',
    '-o',
    'json',
    ...(selector ? ['-l', selector] : []),
  ];
  const { items } = JSON.parse(await kubectl(kubeconfig, args)) as { items: Listed[] };
  return items
    .filter((item) => (item.metadata.ownerReferences ?? []).length === 0)
    .filter((item) => item.metadata.labels?.[AUTOMANAGED] === undefined)
    .filter((item) => !IGNORED.has(keyOf(item).kind));
}

/**
 * The groups another server answers for (metrics.k8s.io): what they list is computed, not
 * stored, and a stand-in server may only answer discovery.
 */
async function aggregatedGroups(kubeconfig: string): Promise<Set<string>> {
  const { items } = JSON.parse(await kubectl(kubeconfig, ['get', 'apiservices', '-o', 'json'])) as {
    items: { spec: { group?: string; service?: unknown } }[];
  };
  return new Set(items.filter((a) => a.spec.service && a.spec.group).map((a) => a.spec.group!));
}

/** `a` without the objects that are in `b`. */
export function without(a: readonly ObjectKey[], b: readonly ObjectKey[]): ObjectKey[] {
  const known = new Set(b.map(describeKey));
  return a.filter((key) => !known.has(describeKey(key)));
}
