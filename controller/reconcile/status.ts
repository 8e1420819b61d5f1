/**
 * The status a network should have: one entry per pod, and the Ready, Progressing and Degraded
 * conditions; and the Warning events of a Degraded transition.
 */
import {
  BitcoinNetwork,
  BitcoinNetworkNodeStatus,
  BitcoinNetworkStatus,
  Condition,
  CONDITION_DEGRADED,
  CONDITION_PROGRESSING,
  CONDITION_READY,
  networkSelector,
  podDnsName,
  statefulSetName,
} from '../api';
import type { CachedPod } from '../kube/cached';
import { jsonEqual } from './json-equal';
import {
  Action,
  event,
  Problem,
  REASON_AS_EXPECTED,
  REASON_DEGRADED,
  REASON_NODES_NOT_READY,
  REASON_NODES_READY,
  REASON_NODES_STARTING,
  REASON_SCALING_DOWN,
  REASON_SCALING_UP,
} from './plan';

/** Ordinal of a pod of the network's StatefulSet, or undefined for any other pod. */
function ordinalOf(network: BitcoinNetwork, pod: CachedPod): number | undefined {
  const prefix = `${statefulSetName(network.metadata?.name ?? '')}-`;
  const name = pod.metadata?.name ?? '';
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

function isPodReady(pod: CachedPod): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** One status entry per pod of the StatefulSet, by ordinal. */
export function nodeStatuses(
  network: BitcoinNetwork,
  pods: readonly CachedPod[],
): BitcoinNetworkNodeStatus[] {
  const name = network.metadata?.name ?? '';
  const ns = network.metadata?.namespace ?? '';
  const out: BitcoinNetworkNodeStatus[] = [];
  for (const pod of pods) {
    const ordinal = ordinalOf(network, pod);
    if (ordinal === undefined) continue;
    out.push({
      ordinal,
      ready: isPodReady(pod),
      ip: pod.status?.podIP ?? '',
      nodeName: pod.spec?.nodeName ?? '',
      dnsName: podDnsName(name, ns, ordinal),
    });
  }
  return out.sort((a, b) => a.ordinal - b.ordinal);
}

function condition(
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
  generation: number | undefined,
  previous: readonly Condition[] | undefined,
  now: string,
): Condition {
  const old = previous?.find((c) => c.type === type);
  return {
    type,
    status,
    reason,
    message,
    // The transition time moves only when the status does.
    lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now,
    observedGeneration: generation,
  };
}

export interface StatusInput {
  readonly network: BitcoinNetwork;
  readonly pods: readonly CachedPod[];
  readonly problems: readonly Problem[];
  readonly statefulSetPresent: boolean;
  /** RFC 3339 time for new condition transitions. */
  readonly now: string;
}

/** The full status the network should have. */
export function desiredStatus(input: StatusInput): BitcoinNetworkStatus {
  const { network, problems, now } = input;
  const generation = network.metadata?.generation;
  const previous = network.status?.conditions;
  const nodes = input.statefulSetPresent ? nodeStatuses(network, input.pods) : [];
  const live = nodes.length;
  const ready = nodes.filter((n) => n.ready).length;
  const want = network.spec.nodes;
  const allReady = ready === want && live === want;
  const degraded = problems.length > 0;

  let progressing: Condition;
  if (allReady) {
    progressing = condition(
      CONDITION_PROGRESSING,
      'False',
      REASON_NODES_READY,
      `${ready}/${want} node(s) ready`,
      generation,
      previous,
      now,
    );
  } else {
    const reason =
      live < want ? REASON_SCALING_UP : live > want ? REASON_SCALING_DOWN : REASON_NODES_STARTING;
    progressing = condition(
      CONDITION_PROGRESSING,
      'True',
      reason,
      `${live} of ${want} node(s) exist, ${ready} ready`,
      generation,
      previous,
      now,
    );
  }
  const degradedCond = degraded
    ? condition(
        CONDITION_DEGRADED,
        'True',
        problems[0].reason,
        problems.map((p) => p.message).join('; '),
        generation,
        previous,
        now,
      )
    : condition(
        CONDITION_DEGRADED,
        'False',
        REASON_AS_EXPECTED,
        'Children match the spec',
        generation,
        previous,
        now,
      );
  const readyCond =
    allReady && !degraded
      ? condition(
          CONDITION_READY,
          'True',
          REASON_NODES_READY,
          `${ready}/${want} node(s) ready and meshed`,
          generation,
          previous,
          now,
        )
      : condition(
          CONDITION_READY,
          'False',
          degraded ? REASON_DEGRADED : REASON_NODES_NOT_READY,
          degraded ? `Degraded: ${problems[0].message}` : `${ready}/${want} node(s) ready`,
          generation,
          previous,
          now,
        );
  return {
    observedGeneration: generation,
    replicas: live,
    readyNodes: ready,
    selector: networkSelector(network.metadata?.name ?? ''),
    nodes,
    conditions: [readyCond, progressing, degradedCond],
  };
}

/** Warning events for a Degraded condition that appeared or changed its reason or message. */
export function transitionEvents(
  before: BitcoinNetworkStatus | undefined,
  after: BitcoinNetworkStatus,
): Action[] {
  const now = after.conditions?.find((c) => c.type === CONDITION_DEGRADED);
  if (!now || now.status !== 'True') return [];
  const old = before?.conditions?.find((c) => c.type === CONDITION_DEGRADED);
  if (old && old.status === 'True' && old.reason === now.reason && old.message === now.message) {
    return [];
  }
  return [event('Warning', now.reason, now.message)];
}

/** Whether `current` already is `desired`, so that writing it would change nothing. */
export function isStatusCurrent(
  current: BitcoinNetworkStatus | undefined,
  desired: BitcoinNetworkStatus,
): boolean {
  return jsonEqual(current ?? {}, desired);
}
