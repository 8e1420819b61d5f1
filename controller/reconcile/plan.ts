/**
 * The vocabulary of a reconcile pass: what it observed, the actions and problems it plans, and the
 * reasons its Events and conditions carry.
 */
import type { BitcoinNetwork, ChildKind, PatchableKind, PluralOf } from '../api';
import type { RpcCredentials } from '../bitcoin/credentials';
import type { CachedPod } from '../kube/cached';
import type { CachedOf, KindObjects } from '../kube/kinds';
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

/** An object of a child kind of the kinds table. */
export type ChildObject = KindObjects[ChildKind];
export type ChildResource = PluralOf<ChildKind>;
/** Children the controller patches when they drift from the desired spec. */
export type PatchableResource = PluralOf<PatchableKind>;

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

/**
 * What the controller saw of each child, named after its kind (`secret`, `statefulSet`, ...);
 * undefined when absent. The `secret` is the one the network uses: `<name>-rpc` or
 * `spec.rpcSecretName`.
 */
export type ObservedChildren = {
  readonly [K in ChildKind as Uncapitalize<K>]?: CachedOf<K>;
};

/** What the controller saw for one network. Every object may be a frozen cache object. */
export type Observed = ObservedChildren & {
  readonly network: BitcoinNetwork;
  /** `<name>-rpcauth`; read only when `spec.rpcSecretName` names the user's Secret. */
  readonly rpcAuthSecret?: CachedOf<'Secret'>;
  /** Pods carrying the network's labels. */
  readonly pods: readonly CachedPod[];
};

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

/** An Event about the network, as a plan step. */
export function event(eventType: 'Normal' | 'Warning', reason: string, message: string): Action {
  return { type: 'event', eventType, reason, message };
}
