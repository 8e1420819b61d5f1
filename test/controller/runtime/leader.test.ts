/**
 * Leader election against the fake API's Lease tracker, on fake timers: every wait below is the
 * elector's own timer being advanced, never a real sleep.
 */
import type { V1Lease } from '@kubernetes/client-node';
import pino from 'pino';
import { conflict, serverError } from '../../../controller/testing/api-errors';
import { FakeKube } from '../../../controller/testing/kube';
import { LEASE_NAME } from '../../../controller/api';
import type { LeaseApi } from '../../../controller/kube/ports';
import {
  DEFAULT_LEASE_DURATION_MS,
  DEFAULT_RENEW_DEADLINE_MS,
  DEFAULT_RETRY_PERIOD_MS,
  LeaderElector,
} from '../../../controller/runtime/leader';

const NS = 'bitcoin-controller';
const START = new Date('2026-01-01T00:00:00Z');

interface Candidate {
  elector: LeaderElector;
  started: number;
  stopped: number;
  logs: string[];
}

function candidate(kube: FakeKube, identity: string, api: LeaseApi = kube): Candidate {
  const logs: string[] = [];
  const c: Candidate = {
    elector: undefined as unknown as LeaderElector,
    started: 0,
    stopped: 0,
    logs,
  };
  c.elector = new LeaderElector({
    api,
    namespace: NS,
    identity,
    logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(line) }),
    onStartedLeading: () => c.started++,
    onStoppedLeading: () => c.stopped++,
    // No jitter: the acquire loop retries exactly every retry period.
    random: () => 0,
  });
  return c;
}

/** `api` until `sever()`; from then on no new call of this process is ever answered. */
function severable(api: LeaseApi): { api: LeaseApi; sever: () => void } {
  let severed = false;
  const hang = () => new Promise<never>(() => undefined);
  return {
    api: {
      getLease: (ns, name) => (severed ? hang() : api.getLease(ns, name)),
      createLease: (ns, body) => (severed ? hang() : api.createLease(ns, body)),
      replaceLease: (ns, name, body) => (severed ? hang() : api.replaceLease(ns, name, body)),
    },
    sever: () => {
      severed = true;
    },
  };
}

const lease = (kube: FakeKube) =>
  kube.object<V1Lease & { metadata: object }>('leases', NS, LEASE_NAME);

/** Let the elector's pending promises (fake API calls) settle without moving the clock. */
const settle = () => jest.advanceTimersByTimeAsync(0);

beforeEach(() => {
  jest.useFakeTimers({ now: START });
});

afterEach(() => {
  jest.useRealTimers();
});

test('uses client-go default timings: 15 s lease, 10 s renew deadline, 2 s retry', () => {
  expect([DEFAULT_LEASE_DURATION_MS, DEFAULT_RENEW_DEADLINE_MS, DEFAULT_RETRY_PERIOD_MS]).toEqual([
    15_000, 10_000, 2_000,
  ]);
});

test('rejects timings that could let two leaders overlap', () => {
  const kube = new FakeKube();
  const base = {
    api: kube,
    namespace: NS,
    identity: 'a',
    logger: pino({ level: 'silent' }),
    onStartedLeading: () => undefined,
    onStoppedLeading: () => undefined,
  };
  expect(() => new LeaderElector({ ...base, leaseDurationMs: 10_000 })).toThrow(
    'leaseDurationMs must be greater than renewDeadlineMs, got 10000 and 10000',
  );
  expect(() => new LeaderElector({ ...base, retryPeriodMs: 9_000 })).toThrow(
    /renewDeadlineMs must be greater than 1.2 \* retryPeriodMs/,
  );
  expect(() => new LeaderElector({ ...base, identity: '' })).toThrow('identity must not be empty');
});

test('acquires a missing Lease by creating it', async () => {
  // GIVEN no Lease
  const kube = new FakeKube();
  const a = candidate(kube, 'pod-a_x1');
  // WHEN the elector starts
  a.elector.start();
  await settle();
  // THEN it created the Lease with itself as holder and leads
  expect(kube.callLog()).toEqual([
    `get leases ${NS}/${LEASE_NAME}`,
    `create leases ${NS}/${LEASE_NAME}`,
  ]);
  expect(lease(kube)?.spec).toMatchObject({
    holderIdentity: 'pod-a_x1',
    leaseDurationSeconds: 15,
    leaseTransitions: 0,
  });
  expect(a.elector.isLeader()).toBe(true);
  expect(a.started).toBe(1);
});

test('the leader renews every retry period, keeping acquireTime and moving renewTime', async () => {
  const kube = new FakeKube();
  const a = candidate(kube, 'a');
  a.elector.start();
  await settle();
  const acquired = lease(kube)!.spec!;
  kube.clearCalls();
  // WHEN two retry periods pass
  await jest.advanceTimersByTimeAsync(2 * DEFAULT_RETRY_PERIOD_MS);
  // THEN it read and updated the Lease twice, and is still the leader
  expect(kube.callLog()).toEqual([
    `get leases ${NS}/${LEASE_NAME}`,
    `update leases ${NS}/${LEASE_NAME}`,
    `get leases ${NS}/${LEASE_NAME}`,
    `update leases ${NS}/${LEASE_NAME}`,
  ]);
  const renewed = lease(kube)!.spec!;
  expect(renewed.acquireTime).toEqual(acquired.acquireTime);
  expect(new Date(renewed.renewTime as Date).getTime()).toBe(
    START.getTime() + 2 * DEFAULT_RETRY_PERIOD_MS,
  );
  expect(a.elector.isLeader()).toBe(true);
  expect(a.stopped).toBe(0);
});

test('a standby does not take a Lease that is held and renewed', async () => {
  const kube = new FakeKube();
  const a = candidate(kube, 'a');
  const b = candidate(kube, 'b');
  a.elector.start();
  await settle();
  b.elector.start();
  // WHEN far more than a lease duration passes while A renews
  await jest.advanceTimersByTimeAsync(3 * DEFAULT_LEASE_DURATION_MS);
  // THEN B never wrote the Lease and knows A leads
  expect(b.elector.isLeader()).toBe(false);
  expect(b.started).toBe(0);
  expect(b.elector.leader()).toBe('a');
  expect(lease(kube)?.spec?.holderIdentity).toBe('a');
});

test('a standby takes over once the holder stops renewing for the lease duration', async () => {
  // GIVEN a Lease held by a process that has died (nobody renews it)
  const kube = new FakeKube();
  kube.seed('leases', {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: LEASE_NAME, namespace: NS },
    spec: {
      holderIdentity: 'dead',
      leaseDurationSeconds: 15,
      renewTime: START,
      leaseTransitions: 3,
    },
  } as V1Lease & { metadata: object });
  const b = candidate(kube, 'b');
  b.elector.start();
  // WHEN less than the lease duration has passed since B first saw the record
  await jest.advanceTimersByTimeAsync(DEFAULT_LEASE_DURATION_MS - DEFAULT_RETRY_PERIOD_MS);
  // THEN B waits
  expect(b.elector.isLeader()).toBe(false);
  // WHEN the lease duration has passed (at B's next retry)
  await jest.advanceTimersByTimeAsync(2 * DEFAULT_RETRY_PERIOD_MS);
  // THEN B holds it, and the transition is counted
  expect(b.elector.isLeader()).toBe(true);
  expect(lease(kube)?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 4 });
});

test('two candidates racing for a free Lease: one wins, the other gets 409 and stays standby', async () => {
  // GIVEN a released Lease (no holder) and two candidates starting at the same instant
  const kube = new FakeKube();
  kube.seed('leases', {
    metadata: { name: LEASE_NAME, namespace: NS },
    spec: { holderIdentity: '', leaseDurationSeconds: 1, renewTime: START },
  } as V1Lease & { metadata: object });
  const a = candidate(kube, 'a');
  const b = candidate(kube, 'b');
  a.elector.start();
  b.elector.start();
  await settle();
  // THEN both read the same resourceVersion and tried to update; exactly one succeeded
  expect(kube.callLog((c) => c.verb === 'update')).toHaveLength(2);
  expect([a.elector.isLeader(), b.elector.isLeader()].sort()).toEqual([false, true]);
  const loser = a.elector.isLeader() ? b : a;
  expect(loser.logs.join('')).toContain('lost a race for the lease');
  expect(lease(kube)?.spec?.holderIdentity).toBe(a.elector.isLeader() ? 'a' : 'b');
  // AND the loser stays standby while the winner renews
  await jest.advanceTimersByTimeAsync(2 * DEFAULT_LEASE_DURATION_MS);
  expect(loser.elector.isLeader()).toBe(false);
});

test('a leader whose Lease was taken by another stops leading at its next renewal', async () => {
  const kube = new FakeKube();
  const a = candidate(kube, 'a');
  a.elector.start();
  await settle();
  // WHEN someone else writes the Lease (e.g. after a long pause of A)
  kube.edit<V1Lease & { metadata: object }>('leases', NS, LEASE_NAME, (l) => {
    l.spec = { ...l.spec, holderIdentity: 'b', renewTime: new Date() };
  });
  await jest.advanceTimersByTimeAsync(DEFAULT_RETRY_PERIOD_MS);
  // THEN A stops at once, without writing
  expect(a.elector.isLeader()).toBe(false);
  expect(a.elector.getState()).toBe('lost');
  expect(a.stopped).toBe(1);
  expect(lease(kube)?.spec?.holderIdentity).toBe('b');
});

test('renewals failing with 409 Conflict end leadership at the renew deadline', async () => {
  const kube = new FakeKube();
  const a = candidate(kube, 'a');
  a.elector.start();
  await settle();
  // WHEN every renewal meets a conflict
  kube.failNext('update', 'leases', conflict('leases.coordination.k8s.io', LEASE_NAME), 100);
  await jest.advanceTimersByTimeAsync(DEFAULT_RENEW_DEADLINE_MS - 1);
  // THEN A still leads just before the deadline, and not at it
  expect(a.elector.isLeader()).toBe(true);
  await jest.advanceTimersByTimeAsync(1);
  expect(a.elector.isLeader()).toBe(false);
  expect(a.stopped).toBe(1);
});

test('a renewal that hangs does not keep a leader past the renew deadline', async () => {
  const kube = new FakeKube();
  const a = candidate(kube, 'a');
  a.elector.start();
  await settle();
  // WHEN the apiserver stops answering (requests never complete)
  kube.prependReactor('*', 'leases', () => ({ result: new Promise(() => undefined) }));
  await jest.advanceTimersByTimeAsync(DEFAULT_RENEW_DEADLINE_MS);
  // THEN A stops leading at the deadline, although its request is still pending
  expect(a.elector.isLeader()).toBe(false);
  expect(a.stopped).toBe(1);
  expect(a.logs.join('')).toContain('no renewal succeeded within 10000 ms');
});

test('transient errors shorter than the deadline do not cost the lease', async () => {
  const kube = new FakeKube();
  const a = candidate(kube, 'a');
  a.elector.start();
  await settle();
  kube.failNext('get', 'leases', serverError(), 3);
  await jest.advanceTimersByTimeAsync(5 * DEFAULT_RETRY_PERIOD_MS);
  expect(a.elector.isLeader()).toBe(true);
  expect(a.stopped).toBe(0);
});

test('release gives the Lease up, and a standby takes it at its next retry', async () => {
  const kube = new FakeKube();
  const a = candidate(kube, 'a');
  const b = candidate(kube, 'b');
  a.elector.start();
  await settle();
  b.elector.start();
  await jest.advanceTimersByTimeAsync(DEFAULT_RETRY_PERIOD_MS);
  // WHEN A releases (SIGTERM)
  const released = a.elector.release();
  await settle();
  await released;
  // THEN the Lease has no holder and a 1 s duration, and A did not count it as lost
  expect(lease(kube)?.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
  expect(a.elector.getState()).toBe('stopped');
  expect(a.stopped).toBe(0);
  // AND B acquires it within one retry period, far sooner than the lease duration
  await jest.advanceTimersByTimeAsync(DEFAULT_RETRY_PERIOD_MS);
  expect(b.elector.isLeader()).toBe(true);
  expect(lease(kube)?.spec).toMatchObject({ holderIdentity: 'b', leaseDurationSeconds: 15 });
});

test('a standby that releases writes nothing', async () => {
  const kube = new FakeKube();
  const a = candidate(kube, 'a');
  const b = candidate(kube, 'b');
  a.elector.start();
  await settle();
  b.elector.start();
  await settle();
  kube.clearCalls();
  const done = b.elector.release();
  await settle();
  await done;
  expect(kube.writes()).toEqual([]);
  expect(lease(kube)?.spec?.holderIdentity).toBe('a');
});

test('a release while the first acquire is in flight still gives the Lease up', async () => {
  const kube = new FakeKube();
  const a = candidate(kube, 'a');
  a.elector.start();
  // WHEN SIGTERM arrives before the create of the Lease has answered
  const done = a.elector.release();
  await settle();
  await done;
  // THEN the Lease it created is released at once, and it never started leading
  expect(kube.callLog((c) => c.verb !== 'get')).toEqual([
    `create leases ${NS}/${LEASE_NAME}`,
    `update leases ${NS}/${LEASE_NAME}`,
  ]);
  expect(lease(kube)?.spec?.holderIdentity).toBe('');
  expect(a.started).toBe(0);
});

test('a release does not hang on an unreachable apiserver: it gives up after the renew deadline', async () => {
  const kube = new FakeKube();
  const a = candidate(kube, 'a');
  a.elector.start();
  await settle();
  kube.prependReactor('*', 'leases', () => ({ result: new Promise(() => undefined) }));
  await jest.advanceTimersByTimeAsync(DEFAULT_RETRY_PERIOD_MS);
  let finished = false;
  const done = a.elector.release().then(() => (finished = true));
  await jest.advanceTimersByTimeAsync(DEFAULT_RENEW_DEADLINE_MS - 1);
  expect(finished).toBe(false);
  await jest.advanceTimersByTimeAsync(1);
  await done;
  expect(finished).toBe(true);
  expect(a.logs.join('')).toContain('could not release the lease in time');
  expect(a.stopped).toBe(0);
});

test('a slow renewal answer: the renew deadline counts from the renewTime written, so a standby never takes over while the old leader leads', async () => {
  // GIVEN A leads, and B stands by from 1 s on (off A's beat)
  const kube = new FakeKube();
  const link = severable(kube);
  const a = candidate(kube, 'a', link.api);
  a.elector.start();
  await settle();
  await jest.advanceTimersByTimeAsync(1_000);
  const b = candidate(kube, 'b');
  b.elector.start();
  await settle();
  // WHEN A's renewal at 2 s lands at once but its answer takes 7.5 s (more than the 5 s between
  // the lease duration and the renew deadline), and A is cut off from then on
  kube.delayAnswers('update', 'leases', 7_500);
  await jest.advanceTimersByTimeAsync(1_500);
  const renewTime = new Date(lease(kube)!.spec!.renewTime as Date).getTime() - START.getTime();
  expect(renewTime).toBe(DEFAULT_RETRY_PERIOD_MS);
  link.sever();
  // THEN, watched every 100 ms: B takes over, A has stopped leading before the renew deadline
  // counted from the renewTime it wrote, and the two never lead at once
  let aLedUntil = 0;
  const both: number[] = [];
  for (let t = 2_500; t < 25_000; t += 100) {
    await jest.advanceTimersByTimeAsync(100);
    const at = Date.now() - START.getTime();
    if (a.elector.isLeader()) aLedUntil = at;
    if (a.elector.isLeader() && b.elector.isLeader()) both.push(at);
  }
  expect(both).toEqual([]);
  expect(b.elector.isLeader()).toBe(true);
  expect(aLedUntil).toBeLessThan(renewTime + DEFAULT_RENEW_DEADLINE_MS);
  expect(a.stopped).toBe(1);
});

test('an acquire answered after the renew deadline does not lead until a timely renewal', async () => {
  // GIVEN no Lease, and the answer to A's create taking longer than the renew deadline
  const kube = new FakeKube();
  kube.delayAnswers('create', 'leases', DEFAULT_RENEW_DEADLINE_MS + 1_000);
  const a = candidate(kube, 'a');
  a.elector.start();
  // WHEN the answer arrives
  await jest.advanceTimersByTimeAsync(DEFAULT_RENEW_DEADLINE_MS + 1_000);
  // THEN A holds the Lease but does not act on it
  expect(lease(kube)?.spec?.holderIdentity).toBe('a');
  expect(a.elector.isLeader()).toBe(false);
  expect(a.started).toBe(0);
  expect(a.logs.join('')).toContain('the answer came after the renew deadline');
  // AND it leads after its next attempt, a renewal answered at once
  await jest.advanceTimersByTimeAsync(DEFAULT_RETRY_PERIOD_MS);
  expect(a.elector.isLeader()).toBe(true);
  expect(a.started).toBe(1);
});
