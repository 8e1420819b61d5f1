/**
 * The informers behind the controller's Listers, on @kubernetes/client-node's makeInformer: one
 * for networks (all of them) and one per watched kind of the kinds table (label-selected to the
 * objects the controller manages). Cluster-wide by default; given a list of namespaces, one per
 * kind and namespace, so that the controller needs grants in those namespaces only.
 */
import { KubernetesObject, makeInformer } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import {
  API_VERSION,
  apiVersionOf,
  BitcoinNetwork,
  CachedKind,
  CHILD_KINDS,
  CHILD_SELECTOR,
  GROUP,
  KIND_NAMES,
  kindInfo,
  LABEL_INSTANCE,
  PLURAL,
  PluralOf,
  VERSION,
} from '../api';
import type { ApiClients } from './api-clients';
import { EventVerb, ResilientInformer, ResilientInformerOptions } from './informer';
import { CachingInformer, InformerSet } from './informer-set';
import { KindObjects, listerName, PROJECTIONS } from './kinds';
import { modelConversion } from './network-policy-wire';
import type { Listers } from './ports';

/**
 * The informers, by plural. Those of `reduced` kinds hold reduced objects (CachedStatefulSet,
 * CachedPod): read them through `informerListers`, whose types say so.
 */
export type Informers = { readonly networks: CachingInformer<BitcoinNetwork> } & {
  readonly [K in CachedKind as PluralOf<K>]: CachingInformer<KindObjects[K]>;
};

export interface InformerHandlers {
  readonly network: (verb: EventVerb, obj: BitcoinNetwork) => void;
  readonly child: (verb: EventVerb, obj: KubernetesObject) => void;
  /** Told each informer restart after an error, e.g. for metrics. */
  readonly restarted?: (informer: string) => void;
}

/** What one informer lists and watches: its path, and the list call behind its first list. */
interface Source {
  readonly path: string;
  readonly list: () => Promise<unknown>;
}

/**
 * Where a kind is listed and watched: `/apis/apps/v1/statefulsets` across namespaces, or
 * `/apis/apps/v1/namespaces/<ns>/statefulsets` in one (`/api/v1/...` for the core group, whose
 * apiVersion has no group).
 */
function resourcePath(apiVersion: string, plural: string, namespace?: string): string {
  const scope = namespace === undefined ? '' : `/namespaces/${namespace}`;
  return `${apiVersion.includes('/') ? '/apis' : '/api'}/${apiVersion}${scope}/${plural}`;
}

/**
 * @param namespaces the namespaces to watch, each with informers of its own; empty for every
 *   namespace, through cluster-wide informers
 */
export function makeInformers(
  clients: ApiClients,
  logger: Logger,
  handlers: InformerHandlers,
  namespaces: readonly string[] = [],
): Informers {
  const { kubeConfig: kc, custom } = clients;
  const sel = CHILD_SELECTOR;
  /** One informer per namespace, or one for all; `source` says what each lists and watches. */
  const informer = <T extends KubernetesObject>(
    name: string,
    source: (namespace?: string) => Source,
    options: Omit<ResilientInformerOptions<T>, 'name' | 'logger'>,
    selector?: string,
  ): CachingInformer<T> => {
    const make = (namespace?: string) => {
      const { path, list } = source(namespace);
      return new ResilientInformer<T>(
        makeInformer<T>(kc, path, list as Parameters<typeof makeInformer<T>>[2], selector),
        { ...options, name: namespace === undefined ? name : `${namespace}/${name}`, logger },
      );
    };
    if (namespaces.length === 0) return make();
    return new InformerSet(new Map(namespaces.map((ns) => [ns, make(ns)])));
  };

  const informers: Record<string, CachingInformer<KubernetesObject>> = {
    networks: informer<BitcoinNetwork>(
      PLURAL,
      (namespace) => ({
        path: resourcePath(API_VERSION, PLURAL, namespace),
        list: () =>
          namespace === undefined
            ? custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL })
            : custom.listNamespacedCustomObject({
                group: GROUP,
                version: VERSION,
                plural: PLURAL,
                namespace,
              }),
      }),
      { onEvent: handlers.network },
    ) as unknown as CachingInformer<KubernetesObject>,
  };
  for (const kind of KIND_NAMES) {
    const { plural, cached } = kindInfo(kind);
    if (!cached) continue;
    const listAll = clients.method(kind, `list${kind}ForAllNamespaces`);
    const listIn = clients.method(kind, `listNamespaced${kind}`);
    informers[plural] = informer<KubernetesObject>(
      plural,
      (namespace) => ({
        path: resourcePath(apiVersionOf(kind), plural, namespace),
        list: () =>
          namespace === undefined
            ? listAll({ labelSelector: sel })
            : listIn({ namespace, labelSelector: sel }),
      }),
      {
        onEvent: handlers.child,
        onRestart: () => handlers.restarted?.(plural),
        transform: (PROJECTIONS as Record<string, (obj: KubernetesObject) => void>)[kind],
      },
      sel,
    );
  }
  return informers as unknown as Informers;
}

/** Listers over the informers' caches. */
export function informerListers(inf: Informers): Listers {
  const byPlural = inf as unknown as Record<string, CachingInformer<KubernetesObject>>;
  const listers: Record<string, unknown> = {
    network: (ns: string, name: string) => inf.networks.get(name, ns),
    pods: (ns: string, network: string) =>
      inf.pods.list(ns).filter((p) => p.metadata?.labels?.[LABEL_INSTANCE] === network),
  };
  for (const kind of CHILD_KINDS) {
    const informer = byPlural[kindInfo(kind).plural];
    const { toWire } = modelConversion(kind);
    listers[listerName(kind)] = (ns: string, name: string) => toWire(informer.get(name, ns));
  }
  return listers as unknown as Listers;
}
