/**
 * The objects in the cluster, by kind, namespace and name: for the leftovers check after
 * destroy and for comparing a manifest with what carries its prune label after an update.
 */
import { AdminApi, adminApiOf, apiRoot, Collection, groupOf } from '../testplane/lib/admin-api';

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
    deletionTimestamp?: string;
    ownerReferences?: unknown[];
    labels?: Record<string, string>;
  };
}

export function keyOf(object: Listed): ObjectKey {
  const group = groupOf(object.apiVersion);
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
  return (await listTopLevel(adminApiOf(kubeconfig), selector)).map(keyOf);
}

/**
 * What {@link listObjects} lists, but for objects already being deleted (waiting for a finalizer,
 * such as an Ingress for the Load Balancer Controller's) or in a namespace being deleted (whose
 * controller has yet to reach them): what an update left in place.
 */
export async function listObjectsNotDeleting(
  kubeconfig: string,
  selector?: string,
): Promise<ObjectKey[]> {
  const api = adminApiOf(kubeconfig);
  const [items, namespaces] = await Promise.all([
    listTopLevel(api, selector),
    api.get<{ items: Listed[] }>('/api/v1/namespaces'),
  ]);
  const terminating = new Set(
    namespaces.items.filter((n) => n.metadata.deletionTimestamp).map((n) => n.metadata.name),
  );
  return items
    .filter((item) => !item.metadata.deletionTimestamp)
    .filter((item) => !terminating.has(item.metadata.namespace ?? ''))
    .map(keyOf);
}

/** The uid of each object {@link listObjects} lists, by its {@link describeKey}. */
export async function objectUids(kubeconfig: string): Promise<Map<string, string>> {
  return new Map(
    (await listTopLevel(adminApiOf(kubeconfig))).map((item) => [
      describeKey(keyOf(item)),
      item.metadata.uid!,
    ]),
  );
}

async function listTopLevel(api: AdminApi, selector?: string): Promise<Listed[]> {
  const query = selector ? `?labelSelector=${encodeURIComponent(selector)}` : '';
  const lists = await Promise.all(
    (await listableResources(api)).map((collection) => api.items<Listed>(collection, query)),
  );
  return lists
    .flat()
    .filter((item) => (item.metadata.ownerReferences ?? []).length === 0)
    .filter((item) => item.metadata.labels?.[AUTOMANAGED] === undefined)
    .filter((item) => !IGNORED.has(keyOf(item).kind));
}

/** Aggregated discovery (apidiscovery.k8s.io/v2): every group's resources in one answer. */
const AGGREGATED_DISCOVERY =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';

/** The answer as served: every list and the kind are left out when empty. */
interface GroupDiscoveryList {
  items: {
    metadata: { name?: string };
    /** The preferred version first. */
    versions?: {
      version: string;
      /** `Stale` while the server behind an aggregated group does not answer. */
      freshness?: 'Current' | 'Stale';
      resources?: {
        resource: string;
        responseKind?: { kind: string };
        verbs: string[];
        scope: 'Namespaced' | 'Cluster';
      }[];
    }[];
  }[];
}

/** One served version of a group and its resources. */
interface ServedVersion {
  readonly apiVersion: string;
  readonly resources: readonly {
    readonly resource: string;
    readonly kind: string;
    readonly verbs: readonly string[];
    readonly namespaced: boolean;
  }[];
}

/**
 * Each group's served versions, the preferred one first, read as client-go reads them: a stale
 * version is left out, and so is a resource without a kind. A group whose CRD is going away
 * can have no resources at all.
 */
export function servedVersions(answer: GroupDiscoveryList): ServedVersion[][] {
  return answer.items.map(({ metadata, versions = [] }) =>
    versions
      .filter(({ freshness }) => freshness !== 'Stale')
      .map(({ version, resources = [] }) => ({
        apiVersion: metadata.name ? `${metadata.name}/${version}` : version,
        resources: resources.flatMap(({ resource, responseKind, verbs, scope }) =>
          responseKind
            ? [{ resource, kind: responseKind.kind, verbs, namespaced: scope === 'Namespaced' }]
            : [],
        ),
      })),
  );
}

/** Every group the apiserver serves, core first: two requests, as kubectl asks. */
async function discover(api: AdminApi): Promise<ServedVersion[][]> {
  const [core, named] = await Promise.all([
    api.get<GroupDiscoveryList>('/api', AGGREGATED_DISCOVERY),
    api.get<GroupDiscoveryList>('/apis', AGGREGATED_DISCOVERY),
  ]);
  return servedVersions({ items: [...core.items, ...named.items] });
}

/** A kind's resource as the API serves it. */
export interface ServedResource {
  /** The plural in its path. */
  readonly name: string;
  readonly namespaced: boolean;
}

/**
 * Each kind the cluster serves, in every version, by `apiVersion kind`: its resource name and
 * whether it is namespaced.
 */
export async function servedKinds(api: AdminApi): Promise<Map<string, ServedResource>> {
  const kinds = new Map<string, ServedResource>();
  for (const { apiVersion, resources } of (await discover(api)).flat()) {
    for (const { resource, kind, namespaced } of resources) {
      kinds.set(`${apiVersion} ${kind}`, { name: resource, namespaced });
    }
  }
  return kinds;
}

/**
 * What `kubectl api-resources --verbs=list` finds: every resource of each group's preferred
 * version that can be listed, but Events (the cluster's log, not its objects) and the groups
 * another server answers for. Asked as kubectl asks: two requests, not one per group.
 */
export async function listableResources(api: AdminApi): Promise<Collection[]> {
  const [aggregated, groups] = await Promise.all([aggregatedGroups(api), discover(api)]);
  return groups.flatMap(([preferred]) => {
    if (!preferred || aggregated.has(groupOf(preferred.apiVersion))) return [];
    const { apiVersion, resources } = preferred;
    return resources
      .filter(({ verbs, kind }) => verbs.includes('list') && kind !== 'Event')
      .map(({ resource, kind }) => ({ path: `${apiRoot(apiVersion)}/${resource}`, kind }));
  });
}

/**
 * The groups another server answers for (metrics.k8s.io): what they list is computed, not
 * stored, and a stand-in server may only answer discovery.
 */
async function aggregatedGroups(api: AdminApi): Promise<Set<string>> {
  const { items } = await api.get<{ items: { spec: { group?: string; service?: unknown } }[] }>(
    '/apis/apiregistration.k8s.io/v1/apiservices',
  );
  return new Set(items.filter((a) => a.spec.service && a.spec.group).map((a) => a.spec.group!));
}

/** `a` without the objects that are in `b`. */
export function without(a: readonly ObjectKey[], b: readonly ObjectKey[]): ObjectKey[] {
  const known = new Set(b.map(describeKey));
  return a.filter((key) => !known.has(describeKey(key)));
}
