/**
 * The one table of the Kubernetes kinds the controller touches in every namespace, besides its
 * own BitcoinNetworks: where each lives in the API, what the controller may do with it, and how
 * its informer caches it. The typed KubeApi, the apply dispatch, the informers and listers, the
 * metered method list, the fake API and the chart's ClusterRole are all derived from it. A new
 * child kind is a row here, its types in `controller/kube/kinds.ts` and its name in `CHILD_NAMES`
 * (the compiler asks for each), then its desired builder and its step in the reconcile.
 *
 * Data only: the chart reads it, so nothing here may pull client-node into a synth.
 */

/** A verb of the Kubernetes API, as RBAC names it. */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch';

/** A row of {@link KINDS}: one kind, as the API serves it and as the controller uses it. */
export interface KindInfo {
  /** API group; `''` is the core group. */
  readonly group: string;
  /** The version of the group the controller reads and writes the kind in, such as `v1`. */
  readonly version: string;
  /** The resource name in the kind's API paths, which is also what RBAC rules grant verbs on. */
  readonly plural: string;
  /** Everything the controller does with the kind; its ClusterRole (or Roles) grant exactly these. */
  readonly verbs: readonly Verb[];
  /** A child: made for one network and controlled by it through an ownerReference. */
  readonly child: boolean;
  /**
   * How its informer caches it: `whole`, or `reduced` to the fields the controller reads (the
   * reduced shape and its projection are in `controller/kube/kinds.ts`).
   * @default - not watched: the controller keeps no informer of the kind
   */
  readonly cached?: 'whole' | 'reduced';
}

/** In the order of the ClusterRole's rules. */
export const KINDS = {
  StatefulSet: {
    group: 'apps',
    version: 'v1',
    plural: 'statefulsets',
    verbs: ['get', 'list', 'watch', 'create', 'patch'],
    child: true,
    cached: 'reduced',
  },
  Service: {
    group: '',
    version: 'v1',
    plural: 'services',
    verbs: ['get', 'list', 'watch', 'create', 'patch'],
    child: true,
    cached: 'whole',
  },
  /** Read through the informer only: the status reports them. */
  Pod: {
    group: '',
    version: 'v1',
    plural: 'pods',
    verbs: ['list', 'watch'],
    child: false,
    cached: 'reduced',
  },
  /**
   * `get` reads a user-named Secret, which is not labelled for the informer (RBAC cannot restrict
   * list and watch by label). `patch` updates the `rpcauth` line of `<name>-rpcauth`, the only
   * Secret the controller changes, and only while it controls it; the generated `<name>-rpc` is
   * immutable.
   */
  Secret: {
    group: '',
    version: 'v1',
    plural: 'secrets',
    verbs: ['get', 'list', 'watch', 'create', 'patch'],
    child: true,
    cached: 'whole',
  },
  /** Written through the core API only. */
  Event: { group: '', version: 'v1', plural: 'events', verbs: ['create'], child: false },
  NetworkPolicy: {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'networkpolicies',
    verbs: ['get', 'list', 'watch', 'create', 'patch'],
    child: true,
    cached: 'whole',
  },
  PodDisruptionBudget: {
    group: 'policy',
    version: 'v1',
    plural: 'poddisruptionbudgets',
    verbs: ['get', 'list', 'watch', 'create', 'patch'],
    child: true,
    cached: 'whole',
  },
} as const satisfies Record<string, KindInfo>;

type Table = typeof KINDS;
export type Kind = keyof Table;
/** The kinds whose verbs include `V`. */
export type KindWith<V extends Verb> = {
  [K in Kind]: V extends Table[K]['verbs'][number] ? K : never;
}[Kind];
export type ChildKind = { [K in Kind]: Table[K]['child'] extends true ? K : never }[Kind];
/** Children patched back when they drift from their desired spec. */
export type PatchableKind = ChildKind & KindWith<'patch'>;
/** Kinds an informer watches. */
export type CachedKind = { [K in Kind]: Table[K] extends { cached: string } ? K : never }[Kind];
export type ReducedKind = {
  [K in Kind]: Table[K] extends { cached: 'reduced' } ? K : never;
}[Kind];
export type PluralOf<K extends Kind> = Table[K]['plural'];

/** Every kind, in table order. */
export const KIND_NAMES = Object.keys(KINDS) as Kind[];

/** The info of a kind, widened for code that loops over the table. */
export const kindInfo = (kind: Kind): KindInfo => KINDS[kind];

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(kind: Kind): string {
  const { group, version } = kindInfo(kind);
  return group === '' ? version : `${group}/${version}`;
}

const KIND_BY_PLURAL: ReadonlyMap<string, Kind> = new Map(
  KIND_NAMES.map((k) => [KINDS[k].plural, k]),
);

/** The kind of a plural resource name, e.g. `StatefulSet` for `statefulsets`. */
export function kindOfPlural(plural: string): Kind {
  const kind = KIND_BY_PLURAL.get(plural);
  if (!kind) throw new Error(`no kind in the table has the plural "${plural}"`);
  return kind;
}

/** The child kinds, in table order. */
export const CHILD_KINDS = KIND_NAMES.filter((k) => kindInfo(k).child) as ChildKind[];
