/** The informers behind the controller's Listers, on @kubernetes/client-node's makeInformer. */
import {
  KubernetesObject,
  makeInformer,
  V1NetworkPolicy,
  V1Pod,
  V1PodDisruptionBudget,
  V1Secret,
  V1Service,
  V1StatefulSet,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { BitcoinNetwork, CHILD_SELECTOR, GROUP, LABEL_INSTANCE, PLURAL, VERSION } from '../api';
import type { ApiClients } from './api-clients';
import { NetworkPolicy, projectPod, projectStatefulSet } from './cached';
import { EventVerb, ResilientInformer } from './informer';
import { toWireNetworkPolicy } from './network-policy-wire';
import type { Listers } from './ports';

/**
 * The informers. `statefulSets` and `pods` hold objects reduced to CachedStatefulSet and
 * CachedPod: read them through `informerListers`, whose types say so.
 */
export interface Informers {
  readonly networks: ResilientInformer<BitcoinNetwork>;
  readonly statefulSets: ResilientInformer<V1StatefulSet>;
  readonly services: ResilientInformer<V1Service>;
  readonly pods: ResilientInformer<V1Pod>;
  readonly secrets: ResilientInformer<V1Secret>;
  readonly networkPolicies: ResilientInformer<V1NetworkPolicy>;
  readonly podDisruptionBudgets: ResilientInformer<V1PodDisruptionBudget>;
}

export interface InformerHandlers {
  readonly network: (verb: EventVerb, obj: BitcoinNetwork) => void;
  readonly child: (verb: EventVerb, obj: KubernetesObject) => void;
  /** Told each informer restart after an error, e.g. for metrics. */
  readonly restarted?: (informer: string) => void;
}

/**
 * Informers for networks (all) and for the children the controller manages (label-selected), in
 * every namespace.
 */
export function makeInformers(
  clients: ApiClients,
  logger: Logger,
  handlers: InformerHandlers,
): Informers {
  const { kubeConfig: kc, core, apps, custom, networking, policy } = clients;
  const sel = CHILD_SELECTOR;
  const child = handlers.child;
  const onRestart = (name: string) => () => handlers.restarted?.(name);
  return {
    networks: new ResilientInformer(
      makeInformer<BitcoinNetwork>(kc, `/apis/${GROUP}/${VERSION}/${PLURAL}`, () =>
        custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL }),
      ),
      { name: PLURAL, logger, onEvent: handlers.network },
    ),
    statefulSets: new ResilientInformer(
      makeInformer<V1StatefulSet>(
        kc,
        '/apis/apps/v1/statefulsets',
        () => apps.listStatefulSetForAllNamespaces({ labelSelector: sel }),
        sel,
      ),
      {
        name: 'statefulsets',
        logger,
        onEvent: child,
        onRestart: onRestart('statefulsets'),
        transform: projectStatefulSet,
      },
    ),
    services: new ResilientInformer(
      makeInformer<V1Service>(
        kc,
        '/api/v1/services',
        () => core.listServiceForAllNamespaces({ labelSelector: sel }),
        sel,
      ),
      { name: 'services', logger, onEvent: child, onRestart: onRestart('services') },
    ),
    pods: new ResilientInformer(
      makeInformer<V1Pod>(
        kc,
        '/api/v1/pods',
        () => core.listPodForAllNamespaces({ labelSelector: sel }),
        sel,
      ),
      {
        name: 'pods',
        logger,
        onEvent: child,
        onRestart: onRestart('pods'),
        transform: projectPod,
      },
    ),
    secrets: new ResilientInformer(
      makeInformer<V1Secret>(
        kc,
        '/api/v1/secrets',
        () => core.listSecretForAllNamespaces({ labelSelector: sel }),
        sel,
      ),
      { name: 'secrets', logger, onEvent: child, onRestart: onRestart('secrets') },
    ),
    networkPolicies: new ResilientInformer(
      makeInformer<V1NetworkPolicy>(
        kc,
        '/apis/networking.k8s.io/v1/networkpolicies',
        () => networking.listNetworkPolicyForAllNamespaces({ labelSelector: sel }),
        sel,
      ),
      { name: 'networkpolicies', logger, onEvent: child, onRestart: onRestart('networkpolicies') },
    ),
    podDisruptionBudgets: new ResilientInformer(
      makeInformer<V1PodDisruptionBudget>(
        kc,
        '/apis/policy/v1/poddisruptionbudgets',
        () => policy.listPodDisruptionBudgetForAllNamespaces({ labelSelector: sel }),
        sel,
      ),
      {
        name: 'poddisruptionbudgets',
        logger,
        onEvent: child,
        onRestart: onRestart('poddisruptionbudgets'),
      },
    ),
  };
}

/** Listers over the informers' caches. */
export function informerListers(inf: Informers): Listers {
  return {
    network: (ns, name) => inf.networks.get(name, ns),
    secret: (ns, name) => inf.secrets.get(name, ns),
    service: (ns, name) => inf.services.get(name, ns),
    statefulSet: (ns, name) => inf.statefulSets.get(name, ns),
    networkPolicy: (ns, name) =>
      toWireNetworkPolicy(inf.networkPolicies.get(name, ns)) as NetworkPolicy | undefined,
    podDisruptionBudget: (ns, name) => inf.podDisruptionBudgets.get(name, ns),
    pods: (ns, network) =>
      inf.pods.list(ns).filter((p) => p.metadata?.labels?.[LABEL_INSTANCE] === network),
  };
}
