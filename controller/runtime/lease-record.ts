/**
 * The Lease records the leader elector writes, as client-go writes them. Pure functions of the
 * Lease last read, so the elector itself only decides when to write.
 */
import type { V1Lease, V1LeaseSpec } from '@kubernetes/client-node';

/**
 * `identity` holding the Lease after `old` (absent when there is none yet): a renewal keeps the
 * acquire time, and taking it from another holder counts one more transition.
 */
export function heldRecord(
  identity: string,
  leaseDurationMs: number,
  now: Date,
  old?: V1Lease,
): V1LeaseSpec {
  const held = old?.spec?.holderIdentity === identity;
  return {
    holderIdentity: identity,
    leaseDurationSeconds: leaseDurationMs / 1000,
    acquireTime: held && old?.spec?.acquireTime ? old.spec.acquireTime : now,
    renewTime: now,
    leaseTransitions: (old?.spec?.leaseTransitions ?? 0) + (old && !held ? 1 : 0),
  };
}

/** A Lease that does not exist yet, first held with `spec`. */
export function newLease(namespace: string, name: string, spec: V1LeaseSpec): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace },
    spec,
  };
}

/** `held` given up: no holder and a 1 s duration, so a standby takes it at its next retry. */
export function releasedLease(held: V1Lease, now: Date): V1Lease {
  return {
    ...structuredClone(held),
    spec: {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: held.spec?.leaseTransitions ?? 0,
    },
  };
}

/**
 * What changes whenever the holder writes the record. Expiry is measured on the local clock from
 * the moment this last changed, so the clocks of different machines never need to agree.
 */
export function recordVersion(lease: V1Lease): string {
  return JSON.stringify({
    rv: lease.metadata?.resourceVersion,
    holder: lease.spec?.holderIdentity,
    renew: lease.spec?.renewTime,
  });
}
