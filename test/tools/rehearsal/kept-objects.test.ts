/** The check that an update loses no claim, volume or BitcoinNetwork that both templates keep. */
import {
  KeptComparison,
  templateObjects,
  NOTHING_LOST,
  nothingLost,
  StorageLists,
  storedObjects,
} from '../../../tools/rehearsal/kept-objects';

const NETWORK_API = 'bitcoin.eksplatform.dev/v1alpha1';

const claim = (namespace: string, name: string, uid: string, volumeName?: string) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { namespace, name, uid },
  spec: volumeName ? { volumeName } : {},
});
const volume = (name: string, uid: string, volumeHandle: string, ref: [string, string]) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name, uid },
  spec: { csi: { volumeHandle }, claimRef: { namespace: ref[0], name: ref[1] } },
});
const network = {
  apiVersion: NETWORK_API,
  kind: 'BitcoinNetwork',
  metadata: { namespace: 'bitcoin', name: 'stored', uid: 'n-1' },
};
/** The controller's StatefulSet of the network, claims from a template named `data`. */
const statefulSet = (template: string) => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: {
    namespace: 'bitcoin',
    name: 'stored',
    uid: 's-1',
    ownerReferences: [{ kind: 'BitcoinNetwork', name: 'stored', controller: true }],
  },
  spec: { volumeClaimTemplates: [{ metadata: { name: template } }] },
});

const manifest = (...objects: object[]) => JSON.stringify(objects);
const demoClaim = {
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { namespace: 'storage-demo', name: 'demo' },
};
const sampleNetwork = {
  apiVersion: NETWORK_API,
  kind: 'BitcoinNetwork',
  metadata: { namespace: 'bitcoin', name: 'stored' },
};

/** Before the update: a manifest claim on its volume, and a network whose StatefulSet made a claim. */
const BEFORE: StorageLists = {
  claims: [
    claim('storage-demo', 'demo', 'c-1', 'pv-1'),
    claim('bitcoin', 'data-stored-0', 'c-2', 'pv-2'),
  ],
  volumes: [
    volume('pv-1', 'v-1', 'vol-1', ['storage-demo', 'demo']),
    volume('pv-2', 'v-2', 'vol-2', ['bitcoin', 'data-stored-0']),
  ],
  networks: [network],
  statefulSets: [statefulSet('data')],
};
const BOTH = templateObjects([manifest(demoClaim, sampleNetwork)]);

const compare = (after: StorageLists, current = BOTH): ReturnType<typeof nothingLost> => {
  const comparison: KeptComparison = {
    before: storedObjects(BEFORE),
    after: storedObjects(after),
    earlier: BOTH,
    current,
  };
  return nothingLost(comparison);
};

test('passes when every kept claim, volume and network is the same object afterwards', () => {
  expect(compare(BEFORE)).toEqual({
    name: NOTHING_LOST,
    ok: true,
    detail: '5 kept; deleted on purpose (dropped by the chart): none',
  });
});

test("fails naming a StatefulSet's claim that went under another name while its network was kept", () => {
  const renamed: StorageLists = {
    ...BEFORE,
    claims: [BEFORE.claims[0], claim('bitcoin', 'chain-stored-0', 'c-3', 'pv-3')],
    volumes: [BEFORE.volumes[0], volume('pv-3', 'v-3', 'vol-3', ['bitcoin', 'chain-stored-0'])],
    statefulSets: [statefulSet('chain')],
  };
  const check = compare(renamed);
  expect(check.ok).toBe(false);
  expect(check.detail).toBe(
    'PersistentVolumeClaim bitcoin/data-stored-0 deleted; PersistentVolume pv-2 deleted; deleted on purpose (dropped by the chart): none',
  );
});

test('fails naming a claim recreated with a new uid, and its volume that went with it', () => {
  const recreated: StorageLists = {
    ...BEFORE,
    claims: [claim('storage-demo', 'demo', 'c-9', 'pv-9'), BEFORE.claims[1]],
    volumes: [volume('pv-9', 'v-9', 'vol-9', ['storage-demo', 'demo']), BEFORE.volumes[1]],
  };
  const check = compare(recreated);
  expect(check.ok).toBe(false);
  expect(check.detail).toBe(
    'PersistentVolumeClaim storage-demo/demo recreated (uid c-1 -> c-9); PersistentVolume pv-1 deleted; deleted on purpose (dropped by the chart): none',
  );
});

test('fails when a kept claim and its volume point at another EBS volume', () => {
  const moved: StorageLists = {
    ...BEFORE,
    volumes: [volume('pv-1', 'v-1', 'vol-other', ['storage-demo', 'demo']), BEFORE.volumes[1]],
  };
  expect(compare(moved).detail).toBe(
    'PersistentVolumeClaim storage-demo/demo on another EBS volume (vol-1 -> vol-other); PersistentVolume pv-1 on another EBS volume (vol-1 -> vol-other); deleted on purpose (dropped by the chart): none',
  );
});

test('what the current template dropped may go, and is listed as deleted on purpose', () => {
  const withoutNetwork: StorageLists = {
    claims: [BEFORE.claims[0]],
    volumes: [BEFORE.volumes[0]],
    networks: [],
    statefulSets: [],
  };
  expect(compare(withoutNetwork, templateObjects([manifest(demoClaim)]))).toEqual({
    name: NOTHING_LOST,
    ok: true,
    detail:
      '2 kept; deleted on purpose (dropped by the chart): PersistentVolumeClaim bitcoin/data-stored-0, PersistentVolume pv-2, bitcoin.eksplatform.dev/BitcoinNetwork bitcoin/stored',
  });
});

/** A Deployment in storage-demo that mounts these claims, as the storage chart renders one. */
const mounting = (...claimNames: string[]) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { namespace: 'storage-demo', name: 'throughput-demo' },
  spec: {
    template: {
      spec: {
        volumes: claimNames.map((claimName) => ({
          name: claimName,
          persistentVolumeClaim: { claimName },
        })),
      },
    },
  },
});
const namedClaim = (name: string) => ({
  ...demoClaim,
  metadata: { namespace: 'storage-demo', name },
});

test('fails when a kept workload mounts a renamed claim on a new volume: its data is gone', () => {
  // It mounts a scratch claim in both versions: that one is no successor.
  const earlier = templateObjects([
    manifest(namedClaim('demo'), mounting('demo', 'scratch'), sampleNetwork),
  ]);
  const current = templateObjects([
    manifest(namedClaim('demo-st1'), mounting('demo-st1', 'scratch'), sampleNetwork),
  ]);
  const after: StorageLists = {
    ...BEFORE,
    claims: [claim('storage-demo', 'demo-st1', 'c-7', 'pv-7'), BEFORE.claims[1]],
    volumes: [volume('pv-7', 'v-7', 'vol-7', ['storage-demo', 'demo-st1']), BEFORE.volumes[1]],
  };
  const check = nothingLost({
    before: storedObjects(BEFORE),
    after: storedObjects(after),
    earlier,
    current,
  });
  expect(check.ok).toBe(false);
  expect(check.detail).toBe(
    'PersistentVolumeClaim storage-demo/demo replaced under apps/Deployment storage-demo/throughput-demo by PersistentVolumeClaim storage-demo/demo-st1: its data (vol-1) is not there; deleted on purpose (dropped by the chart): none',
  );
});

test('a renamed claim bound to the same EBS volume (a static volume) keeps its data', () => {
  const earlier = templateObjects([manifest(namedClaim('demo'), mounting('demo'), sampleNetwork)]);
  const current = templateObjects([
    manifest(namedClaim('static-vol-1'), mounting('static-vol-1'), sampleNetwork),
  ]);
  const after: StorageLists = {
    ...BEFORE,
    claims: [claim('storage-demo', 'static-vol-1', 'c-8', 'pv-8'), BEFORE.claims[1]],
    volumes: [volume('pv-8', 'v-8', 'vol-1', ['storage-demo', 'static-vol-1']), BEFORE.volumes[1]],
  };
  const check = nothingLost({
    before: storedObjects(BEFORE),
    after: storedObjects(after),
    earlier,
    current,
  });
  expect(check).toEqual({
    name: NOTHING_LOST,
    ok: true,
    detail:
      '3 kept; moved to a new claim on the same EBS volume: PersistentVolumeClaim storage-demo/demo -> PersistentVolumeClaim storage-demo/static-vol-1 (vol-1); deleted on purpose (dropped by the chart): none',
  });
});

test('a claim no template has (made by someone else) is not checked', () => {
  const strangers: StorageLists = {
    ...BEFORE,
    claims: [...BEFORE.claims, claim('web', 'scratch', 'c-5')],
  };
  expect(compare({ ...strangers, claims: BEFORE.claims }).ok).toBe(true);
});
