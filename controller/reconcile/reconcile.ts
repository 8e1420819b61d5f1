/**
 * The reconcile decision for one network, as pure functions: observed state in, actions and the
 * desired status out. No I/O, no clock, no randomness except through the context; objects from the
 * cache are read, never modified.
 */
import type {
  V1PodDisruptionBudget,
  V1Secret,
  V1Service,
  V1StatefulSet,
} from '@kubernetes/client-node';
import {
  ANNOTATION_SPEC_HASH,
  BitcoinNetwork,
  BitcoinNetworkNodeStatus,
  BitcoinNetworkStatus,
  Condition,
  CONDITION_DEGRADED,
  CONDITION_PROGRESSING,
  CONDITION_READY,
  MAX_NODES,
  networkSelector,
  podDnsName,
  SECRET_KEY_PASSWORD,
  SECRET_KEY_RPCAUTH,
  SECRET_KEY_USERNAME,
  secretName,
  serviceName,
  statefulSetName,
} from './api';
import {
  derivedRpcAuth,
  desiredNetworkPolicy,
  desiredPodDisruptionBudget,
  desiredSecret,
  desiredService,
  desiredServiceSpec,
  desiredStatefulSet,
  RpcAuthSource,
  RpcCredentials,
} from './desired';
import type { CachedPod, CachedStatefulSet, NetworkPolicy } from './kube';
import type { MeshNode } from './mesh';

// Event and condition reasons.
export const REASON_CREATED = 'Created';
export const REASON_SCALED = 'Scaled';
export const REASON_UPDATED = 'Updated';
export const REASON_RESOURCE_NOT_OWNED = 'ErrResourceExists';
export const REASON_SECRET_NOT_FOUND = 'SecretNotFound';
export const REASON_SECRET_KEY_MISSING = 'SecretKeyMissing';
export const REASON_RPC_ERROR = 'RPCError';
export const REASON_SYNC_ERROR = 'SyncError';
export const REASON_AS_EXPECTED = 'AsExpected';
export const REASON_NODES_READY = 'NodesReady';
export const REASON_NODES_NOT_READY = 'NodesNotReady';
export const REASON_NODES_STARTING = 'NodesStarting';
export const REASON_SCALING_UP = 'ScalingUp';
export const REASON_SCALING_DOWN = 'ScalingDown';
export const REASON_DEGRADED = 'Degraded';
export const REASON_STORAGE_IMMUTABLE = 'StorageImmutable';
export const REASON_INVALID_SPEC = 'InvalidSpec';

export type ChildObject =
  V1Secret | V1Service | V1StatefulSet | NetworkPolicy | V1PodDisruptionBudget;
export type ChildResource =
  'secrets' | 'services' | 'statefulsets' | 'networkpolicies' | 'poddisruptionbudgets';
/** Children the controller patches when they drift from the desired spec. */
export type PatchableResource = Exclude<ChildResource, 'secrets'>;

export type Action =
  | { readonly type: 'create'; readonly resource: ChildResource; readonly object: ChildObject }
  | {
      readonly type: 'patch';
      readonly resource: PatchableResource;
      readonly namespace: string;
      readonly name: string;
      /** A JSON merge patch. */
      readonly patch: Record<string, unknown>;
    }
  | {
      readonly type: 'event';
      readonly eventType: 'Normal' | 'Warning';
      readonly reason: string;
      readonly message: string;
    };

/** Something that keeps the network from its spec; becomes the Degraded condition. */
export interface Problem {
  readonly reason: string;
  readonly message: string;
}

/** What the controller saw for one network. Every object may be a frozen cache object. */
export interface Observed {
  readonly network: BitcoinNetwork;
  /** The Secret the network uses: `<name>-rpc` or `spec.rpcSecretName`; undefined if absent. */
  readonly secret?: V1Secret;
  readonly service?: V1Service;
  readonly statefulSet?: CachedStatefulSet;
  readonly networkPolicy?: NetworkPolicy;
  readonly podDisruptionBudget?: V1PodDisruptionBudget;
  /** Pods carrying the network's labels. */
  readonly pods: readonly CachedPod[];
}

export interface ReconcileContext {
  /** Makes credentials for a new generated Secret; called at most once per pass. */
  readonly newCredentials: () => RpcCredentials;
}

export interface Plan {
  readonly actions: Action[];
  readonly problems: Problem[];
  /** Credentials for RPC calls, when the Secret is usable. */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** Ready nodes to mesh; empty when there is nothing to do or no credentials. */
  readonly meshNodes: MeshNode[];
  /** Whether a StatefulSet of ours exists after this pass's actions. */
  readonly statefulSetPresent: boolean;
}

/** Key of a network in the work queue. */
export const keyOf = (namespace: string, name: string): string => `${namespace}/${name}`;

/** Whether `obj` carries a controller ownerReference to this network. */
export function isControlledBy(
  obj: { metadata?: { ownerReferences?: Array<{ controller?: boolean; uid: string }> } },
  network: BitcoinNetwork,
): boolean {
  const ref = obj.metadata?.ownerReferences?.find((r) => r.controller === true);
  return ref !== undefined && ref.uid === network.metadata?.uid;
}

function notOwned(kind: string, name: string, ns: string): Problem {
  return {
    reason: REASON_RESOURCE_NOT_OWNED,
    message: `${kind} "${name}" already exists in namespace "${ns}" and is not managed by this BitcoinNetwork`,
  };
}

function decodeKey(secret: V1Secret, key: string): string | undefined {
  const b64 = secret.data?.[key];
  if (b64 !== undefined) return Buffer.from(b64, 'base64').toString('utf8');
  return secret.stringData?.[key];
}

interface SecretOutcome {
  actions: Action[];
  problems: Problem[];
  auth?: RpcAuthSource;
  credentials?: { username: string; password: string };
}

function reconcileSecret(o: Observed, ctx: ReconcileContext): SecretOutcome {
  const net = o.network;
  const ns = net.metadata?.namespace ?? '';
  const named = net.spec.rpcSecretName;
  const name = named ?? secretName(net.metadata?.name ?? '');
  if (!o.secret) {
    if (named) {
      return {
        actions: [],
        problems: [
          {
            reason: REASON_SECRET_NOT_FOUND,
            message: `Secret "${name}" named in spec.rpcSecretName was not found in namespace "${ns}"`,
          },
        ],
      };
    }
    const creds = ctx.newCredentials();
    return {
      actions: [
        { type: 'create', resource: 'secrets', object: desiredSecret(net, creds) },
        event('Normal', REASON_CREATED, `Created Secret "${name}" with generated RPC credentials`),
      ],
      problems: [],
      auth: { kind: 'secretKey', secretName: name },
      credentials: { username: creds.username, password: creds.password },
    };
  }
  if (!named && !isControlledBy(o.secret, net)) {
    return { actions: [], problems: [notOwned('Secret', name, ns)] };
  }
  const username = decodeKey(o.secret, SECRET_KEY_USERNAME);
  const password = decodeKey(o.secret, SECRET_KEY_PASSWORD);
  const rpcauth = decodeKey(o.secret, SECRET_KEY_RPCAUTH);
  const required = named
    ? [SECRET_KEY_USERNAME, SECRET_KEY_PASSWORD]
    : [SECRET_KEY_USERNAME, SECRET_KEY_PASSWORD, SECRET_KEY_RPCAUTH];
  const missing = required.filter((k) => !decodeKey(o.secret as V1Secret, k));
  if (missing.length > 0 || username === undefined || password === undefined) {
    return {
      actions: [],
      problems: [
        {
          reason: REASON_SECRET_KEY_MISSING,
          message: `Secret "${name}" in namespace "${ns}" lacks the key(s) ${missing.map((k) => `"${k}"`).join(', ')}`,
        },
      ],
    };
  }
  const auth: RpcAuthSource = rpcauth
    ? { kind: 'secretKey', secretName: name }
    : {
        kind: 'value',
        secretName: name,
        rpcauth: derivedRpcAuth(net, o.secret.metadata?.uid ?? '', { username, password }),
      };
  return { actions: [], problems: [], auth, credentials: { username, password } };
}

function event(eventType: 'Normal' | 'Warning', reason: string, message: string): Action {
  return { type: 'event', eventType, reason, message };
}

function reconcileService(o: Observed): { actions: Action[]; problems: Problem[] } {
  const net = o.network;
  const ns = net.metadata?.namespace ?? '';
  const name = serviceName(net.metadata?.name ?? '');
  const desired = desiredService(net);
  if (!o.service) {
    return {
      actions: [
        { type: 'create', resource: 'services', object: desired },
        event('Normal', REASON_CREATED, `Created headless Service "${name}"`),
      ],
      problems: [],
    };
  }
  if (!isControlledBy(o.service, net))
    return { actions: [], problems: [notOwned('Service', name, ns)] };
  const want = desired.metadata?.annotations?.[ANNOTATION_SPEC_HASH];
  if (o.service.metadata?.annotations?.[ANNOTATION_SPEC_HASH] === want) {
    return { actions: [], problems: [] };
  }
  // clusterIP is immutable: leave it out of the patch.
  const spec: Partial<ReturnType<typeof desiredServiceSpec>> = { ...desiredServiceSpec(net) };
  delete spec.clusterIP;
  return {
    actions: [
      {
        type: 'patch',
        resource: 'services',
        namespace: ns,
        name,
        patch: { metadata: { annotations: { [ANNOTATION_SPEC_HASH]: want } }, spec },
      },
      event(
        'Normal',
        REASON_UPDATED,
        `Updated Service "${name}" to the desired ports and selector`,
      ),
    ],
    problems: [],
  };
}

/**
 * A child whose whole spec the controller owns (NetworkPolicy, PodDisruptionBudget): create it
 * when missing, report it when someone else owns the name, and patch the spec back when it
 * differs from the desired one, whoever changed it.
 */
function reconcileOwnedSpec(
  o: Observed,
  kind: string,
  resource: 'networkpolicies' | 'poddisruptionbudgets',
  current: { metadata?: unknown; spec?: unknown } | undefined,
  desired: ChildObject & { spec?: unknown },
): { actions: Action[]; problems: Problem[] } {
  const net = o.network;
  const ns = net.metadata?.namespace ?? '';
  const name = desired.metadata?.name ?? '';
  if (!current) {
    return {
      actions: [
        { type: 'create', resource, object: desired },
        event('Normal', REASON_CREATED, `Created ${kind} "${name}"`),
      ],
      problems: [],
    };
  }
  if (!isControlledBy(current as Parameters<typeof isControlledBy>[0], net)) {
    return { actions: [], problems: [notOwned(kind, name, ns)] };
  }
  const want = desired.spec as Record<string, unknown>;
  const have = (current.spec ?? {}) as Record<string, unknown>;
  // Fields the apiserver defaults and we do not set are left alone.
  if (Object.keys(want).every((k) => jsonEqual(have[k], want[k]))) {
    return { actions: [], problems: [] };
  }
  return {
    actions: [
      { type: 'patch', resource, namespace: ns, name, patch: { spec: want } },
      event('Normal', REASON_UPDATED, `Updated ${kind} "${name}" to the desired spec`),
    ],
    problems: [],
  };
}

function reconcileStatefulSet(
  o: Observed,
  auth: RpcAuthSource | undefined,
): { actions: Action[]; problems: Problem[]; present: boolean } {
  const net = o.network;
  const ns = net.metadata?.namespace ?? '';
  const name = statefulSetName(net.metadata?.name ?? '');
  const sts = o.statefulSet;
  if (sts && !isControlledBy(sts, net)) {
    return { actions: [], problems: [notOwned('StatefulSet', name, ns)], present: false };
  }
  // Without usable credentials the pods could not start: leave the StatefulSet as it is.
  if (!auth) return { actions: [], problems: [], present: sts !== undefined };
  const desired = desiredStatefulSet(net, auth);
  if (!sts) {
    return {
      actions: [
        { type: 'create', resource: 'statefulsets', object: desired },
        event(
          'Normal',
          REASON_CREATED,
          `Created StatefulSet "${name}" with ${net.spec.nodes} node(s)`,
        ),
      ],
      problems: [],
      present: true,
    };
  }
  const actions: Action[] = [];
  const problems: Problem[] = [];
  const patch: { metadata?: unknown; spec?: Record<string, unknown> } = {};
  const current = sts.spec?.replicas ?? 1;
  if (current !== net.spec.nodes) {
    patch.spec = { replicas: net.spec.nodes };
    actions.push(
      event(
        'Normal',
        REASON_SCALED,
        `Scaled StatefulSet "${name}" from ${current} to ${net.spec.nodes} node(s)`,
      ),
    );
  }
  const want = desired.metadata?.annotations?.[ANNOTATION_SPEC_HASH];
  const storageNow = storageSignature(sts);
  const storageWanted = storageSignature(desired);
  if (storageNow !== storageWanted) {
    // volumeClaimTemplates cannot change, and a template without them would lose /data.
    problems.push({
      reason: REASON_STORAGE_IMMUTABLE,
      message:
        `spec.storage of an existing network cannot change (StatefulSet "${name}" has ` +
        `${storageNow}, the spec asks for ${storageWanted}); delete and recreate the network`,
    });
  } else if (sts.metadata?.annotations?.[ANNOTATION_SPEC_HASH] !== want) {
    patch.metadata = { annotations: { [ANNOTATION_SPEC_HASH]: want } };
    patch.spec = { ...patch.spec, template: desired.spec?.template };
    actions.push(
      event('Normal', REASON_UPDATED, `Updated the pod template of StatefulSet "${name}"`),
    );
  }
  if (actions.length === 0) return { actions, problems, present: true };
  return {
    actions: [
      {
        type: 'patch',
        resource: 'statefulsets',
        namespace: ns,
        name,
        patch: patch as Record<string, unknown>,
      },
      ...actions,
    ],
    problems,
    present: true,
  };
}

const QUANTITY_SUFFIX: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes quantity in base units, or undefined if it does not parse. */
export function quantityValue(q: string): number | undefined {
  const m = /^([+-]?\d+(?:\.\d+)?)(?:([eE][+-]?\d+)|([a-zA-Z]*))$/.exec(q.trim());
  if (!m) return undefined;
  if (m[2]) return Number(`${m[1]}${m[2]}`);
  const factor = QUANTITY_SUFFIX[m[3] ?? ''];
  return factor === undefined ? undefined : Number(m[1]) * factor;
}

/** "ephemeral storage" or "<bytes> of storage class <class>" of a StatefulSet's data claim. */
function storageSignature(sts: CachedStatefulSet): string {
  const claim = sts.spec?.volumeClaimTemplates?.[0];
  if (!claim) return 'ephemeral storage';
  const size = claim.spec?.resources?.requests?.storage ?? '?';
  const bytes = quantityValue(size);
  return `${bytes === undefined ? size : `${bytes} bytes`} of storage class ${claim.spec?.storageClassName ?? '(default)'}`;
}

/** Ordinal of a pod of the network's StatefulSet, or undefined for any other pod. */
export function ordinalOf(network: BitcoinNetwork, pod: CachedPod): number | undefined {
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

/**
 * Problems with a spec that got past the CRD schema (or met an older schema). The messages name
 * the field and the value.
 */
export function validateSpec(spec: BitcoinNetwork['spec']): Problem[] {
  const problems: string[] = [];
  const nodes = spec?.nodes as unknown;
  if (typeof nodes !== 'number' || !Number.isInteger(nodes) || nodes < 0 || nodes > MAX_NODES) {
    problems.push(
      `spec.nodes must be an integer from 0 to ${MAX_NODES}, got ${JSON.stringify(nodes)}`,
    );
  }
  const size = spec?.storage?.size as unknown;
  if (spec?.storage && (typeof size !== 'string' || quantityValue(size) === undefined)) {
    problems.push(
      `spec.storage.size must be a quantity such as "1Gi", got ${JSON.stringify(size)}`,
    );
  }
  if (spec?.image !== undefined && (typeof spec.image !== 'string' || spec.image.trim() === '')) {
    problems.push(
      `spec.image must be a non-empty image reference, got ${JSON.stringify(spec.image)}`,
    );
  }
  return problems.map((message) => ({ reason: REASON_INVALID_SPEC, message }));
}

/** Plan one pass: child actions, problems, and what the mesh step should do. */
export function reconcile(o: Observed, ctx: ReconcileContext): Plan {
  const invalid = validateSpec(o.network.spec);
  if (invalid.length > 0) {
    // Touch nothing until the spec is fixed; status reports why.
    return {
      actions: [],
      problems: invalid,
      meshNodes: [],
      statefulSetPresent: o.statefulSet !== undefined && isControlledBy(o.statefulSet, o.network),
    };
  }
  const secret = reconcileSecret(o, ctx);
  const service = reconcileService(o);
  // Policy and budget before the pods exist, so no pod runs unprotected.
  const netpol = reconcileOwnedSpec(
    o,
    'NetworkPolicy',
    'networkpolicies',
    o.networkPolicy,
    desiredNetworkPolicy(o.network),
  );
  const pdb = reconcileOwnedSpec(
    o,
    'PodDisruptionBudget',
    'poddisruptionbudgets',
    o.podDisruptionBudget,
    desiredPodDisruptionBudget(o.network),
  );
  const sts = reconcileStatefulSet(o, secret.auth);
  const problems = [
    ...secret.problems,
    ...service.problems,
    ...netpol.problems,
    ...pdb.problems,
    ...sts.problems,
  ];
  const usable = secret.credentials !== undefined && sts.problems.length === 0 && !!o.statefulSet;
  const meshNodes: MeshNode[] = usable
    ? nodeStatuses(o.network, o.pods)
        .filter((n) => n.ready && n.ip !== '')
        .map((n) => ({
          ordinal: n.ordinal,
          podName: `${statefulSetName(o.network.metadata?.name ?? '')}-${n.ordinal}`,
          ip: n.ip,
        }))
    : [];
  return {
    actions: [
      ...secret.actions,
      ...service.actions,
      ...netpol.actions,
      ...pdb.actions,
      ...sts.actions,
    ],
    problems,
    credentials: secret.credentials,
    meshNodes,
    statefulSetPresent: sts.present,
  };
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

/** Deep equality of two JSON values; status comparisons use it to avoid no-op writes. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(b)) {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    return (
      ka.length === kb.length &&
      ka.every((k) =>
        jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
      )
    );
  }
  return false;
}
