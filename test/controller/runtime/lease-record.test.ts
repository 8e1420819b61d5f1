import type { V1Lease } from '@kubernetes/client-node';
import {
  heldRecord,
  newLease,
  recordVersion,
  releasedLease,
} from '../../../controller/runtime/lease-record';

const EARLIER = new Date('2026-01-01T00:00:00Z');
const NOW = new Date('2026-01-01T00:01:00Z');

function lease(holder: string, transitions: number): V1Lease {
  return {
    metadata: { name: 'l', namespace: 'n', resourceVersion: '7' },
    spec: {
      holderIdentity: holder,
      leaseDurationSeconds: 15,
      acquireTime: EARLIER,
      renewTime: EARLIER,
      leaseTransitions: transitions,
    },
  };
}

test('a first record starts with no transitions and the lease duration in seconds', () => {
  expect(newLease('n', 'l', heldRecord('me', 15_000, NOW))).toEqual({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'l', namespace: 'n' },
    spec: {
      holderIdentity: 'me',
      leaseDurationSeconds: 15,
      acquireTime: NOW,
      renewTime: NOW,
      leaseTransitions: 0,
    },
  });
});

test('a renewal keeps the acquire time and the transitions', () => {
  expect(heldRecord('me', 15_000, NOW, lease('me', 2))).toMatchObject({
    acquireTime: EARLIER,
    renewTime: NOW,
    leaseTransitions: 2,
  });
});

test('taking the lease from another holder is one more transition, acquired now', () => {
  expect(heldRecord('me', 15_000, NOW, lease('other', 2))).toMatchObject({
    holderIdentity: 'me',
    acquireTime: NOW,
    leaseTransitions: 3,
  });
});

test('a released lease has no holder and a 1 s duration, and leaves the input alone', () => {
  const held = lease('me', 2);
  const released = releasedLease(held, NOW);
  expect(released.metadata).toEqual(held.metadata);
  expect(released.spec).toEqual({
    holderIdentity: '',
    leaseDurationSeconds: 1,
    acquireTime: NOW,
    renewTime: NOW,
    leaseTransitions: 2,
  });
  expect(held.spec?.holderIdentity).toBe('me');
});

test('the record version changes with the holder, the renew time or the resourceVersion', () => {
  const base = lease('me', 0);
  const version = recordVersion(base);
  expect(recordVersion(structuredClone(base))).toBe(version);
  expect(recordVersion(lease('other', 0))).not.toBe(version);
  expect(recordVersion({ ...base, spec: { ...base.spec, renewTime: NOW } })).not.toBe(version);
  expect(recordVersion({ ...base, metadata: { resourceVersion: '8' } })).not.toBe(version);
});
