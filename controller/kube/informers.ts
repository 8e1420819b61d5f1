/**
 * The informers behind the controller's Listers, on @kubernetes/client-node's makeInformer: one
 * for networks (all of them) and one per watched kind of the kinds table (label-selected to the
 * objects the controller manages), in every namespace.
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
import { EventVerb, ResilientInformer } from './informer';
import { KindObjects, listerName, PROJECTIONS } from './kinds';
import { modelConversion } from './network-policy-wire';
import type { Listers } from './ports';

/**
 * The informers, by plural. Those of `reduced` kinds hold reduced objects (CachedStatefulSet,
 * CachedPod): read them through `informerListers`, whose types say so.
 */
export type Informers = { readonly networks: ResilientInformer<BitcoinNetwork> } & {
  readonly [K in CachedKind as PluralOf<K>]: ResilientInformer<KindObjects[K]>;
};

export interface InformerHandlers {
  readonly network: (verb: EventVerb, obj: BitcoinNetwork) => void;
  readonly child: (verb: EventVerb, obj: KubernetesObject) => void;
  /** Told each informer restart after an error, e.g. for metrics. */
  readonly restarted?: (informer: string) => void;
}

/**
 * The path a kind is listed and watched at across namespaces: `/apis/apps/v1/statefulsets`, or
 * `/api/v1/pods` for the core group, whose apiVersion has no group.
 */
function collectionPath(apiVersion: string, plural: string): string {
  return `${apiVersion.includes('/') ? '/apis' : '/api'}/${apiVersion}/${plural}`;
}

export function makeInformers(
  clients: ApiClients,
  logger: Logger,
  handlers: InformerHandlers,
): Informers {
  const { kubeConfig: kc, custom } = clients;
  const sel = CHILD_SELECTOR;
  const informers: Record<string, ResilientInformer<KubernetesObject>> = {
    networks: new ResilientInformer(
      makeInformer<BitcoinNetwork>(kc, collectionPath(API_VERSION, PLURAL), () =>
        custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL }),
      ),
      { name: PLURAL, logger, onEvent: handlers.network },
    ) as unknown as ResilientInformer<KubernetesObject>,
  };
  for (const kind of KIND_NAMES) {
    const { plural, cached } = kindInfo(kind);
    if (!cached) continue;
    const list = clients.method(kind, `list${kind}ForAllNamespaces`);
    informers[plural] = new ResilientInformer(
      makeInformer<KubernetesObject>(
        kc,
        collectionPath(apiVersionOf(kind), plural),
        () => list({ labelSelector: sel }) as ReturnType<Parameters<typeof makeInformer>[2]>,
        sel,
      ),
      {
        name: plural,
        logger,
        onEvent: handlers.child,
        onRestart: () => handlers.restarted?.(plural),
        transform: (PROJECTIONS as Record<string, (obj: KubernetesObject) => void>)[kind],
      },
    );
  }
  return informers as unknown as Informers;
}

/** Listers over the informers' caches. */
export function informerListers(inf: Informers): Listers {
  const byPlural = inf as unknown as Record<string, ResilientInformer<KubernetesObject>>;
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
