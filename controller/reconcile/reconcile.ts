/**
 * The reconcile decision for one network, as pure functions: observed state in, actions and the
 * desired status out. No I/O, no clock, no randomness except through the context; objects from the
 * cache are read, never modified.
 */
import { podName } from '../api';
import { reconcileOwnedSpec, reconcileService, reconcileStatefulSet } from './children';
import { desiredNetworkPolicy } from './desired/network-policy';
import { desiredPodDisruptionBudget } from './desired/pod-disruption-budget';
import type { MeshNode } from './mesh';
import { isControlledBy } from './ownership';
import type { Observed, Plan, ReconcileContext } from './plan';
import { reconcileSecret } from './secret';
import { nodeStatuses } from './status';
import { validateSpec } from './validate';

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
    o.networkPolicy,
    desiredNetworkPolicy(o.network),
  );
  const pdb = reconcileOwnedSpec(
    o,
    'PodDisruptionBudget',
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
          podName: podName(o.network.metadata?.name ?? '', n.ordinal),
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
