/**
 * The steps for the Service, the StatefulSet and the children whose whole spec we own: create
 * what is missing, report names taken by others, patch back what drifted.
 */
import {
  ANNOTATION_SPEC_HASH,
  KINDS,
  PatchableKind,
  quantityValue,
  serviceName,
  statefulSetName,
} from '../api';
import type { CachedStatefulSet } from '../kube/cached';
import { desiredService, desiredServiceSpec } from './desired/service';
import { desiredStatefulSet, PodCredentials } from './desired/stateful-set';
import { jsonEqual } from './json-equal';
import { isControlledBy, notOwned } from './ownership';
import {
  Action,
  ChildObject,
  event,
  Observed,
  Problem,
  REASON_CREATED,
  REASON_SCALED,
  REASON_STORAGE_IMMUTABLE,
  REASON_UPDATED,
} from './plan';

export function reconcileService(o: Observed): { actions: Action[]; problems: Problem[] } {
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

/** The children whose whole spec the controller owns. */
type OwnedSpecKind = Extract<PatchableKind, 'NetworkPolicy' | 'PodDisruptionBudget'>;

/**
 * A child whose whole spec the controller owns (NetworkPolicy, PodDisruptionBudget): create it
 * when missing, report it when someone else owns the name, and patch the spec back when it
 * differs from the desired one, whoever changed it.
 */
export function reconcileOwnedSpec(
  o: Observed,
  kind: OwnedSpecKind,
  current: { metadata?: unknown; spec?: unknown } | undefined,
  desired: ChildObject & { spec?: unknown },
): { actions: Action[]; problems: Problem[] } {
  const resource = KINDS[kind].plural;
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

export function reconcileStatefulSet(
  o: Observed,
  auth: PodCredentials | undefined,
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
  } else {
    if (sts.metadata?.annotations?.[ANNOTATION_SPEC_HASH] !== want) {
      patch.metadata = { annotations: { [ANNOTATION_SPEC_HASH]: want } };
      patch.spec = { ...patch.spec, template: desired.spec?.template };
      actions.push(
        event('Normal', REASON_UPDATED, `Updated the pod template of StatefulSet "${name}"`),
      );
    }
    // Outside the template's hash and mutable, so compared as it is, like replicas.
    const retention = desired.spec?.persistentVolumeClaimRetentionPolicy;
    if (retention && !jsonEqual(sts.spec?.persistentVolumeClaimRetentionPolicy, retention)) {
      patch.spec = { ...patch.spec, persistentVolumeClaimRetentionPolicy: retention };
      actions.push(
        event(
          'Normal',
          REASON_UPDATED,
          `Updated the volume claim retention policy of StatefulSet "${name}"`,
        ),
      );
    }
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

/** "ephemeral storage" or "<bytes> of storage class <class>" of a StatefulSet's data claim. */
function storageSignature(sts: CachedStatefulSet): string {
  const claim = sts.spec?.volumeClaimTemplates?.[0];
  if (!claim) return 'ephemeral storage';
  const size = claim.spec?.resources?.requests?.storage ?? '?';
  const bytes = quantityValue(size);
  return `${bytes === undefined ? size : `${bytes} bytes`} of storage class ${claim.spec?.storageClassName ?? '(default)'}`;
}
