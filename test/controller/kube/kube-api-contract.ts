/**
 * What every KubeApi and LeaseApi must do, written once and run against both the fake
 * (`fake-kube.test.ts`) and the client-node adapter on a real kube-apiserver
 * (`client-node.plane.test.ts`), as controller-runtime tests its fake client: so the fake the
 * controller's tests rely on cannot drift from what the apiserver does.
 *
 * The cases are made from the kinds table: every call of every kind is exercised.
 */
import type { V1Lease } from '@kubernetes/client-node';
import {
  API_VERSION,
  apiVersionOf,
  BitcoinNetwork,
  KIND,
  KIND_NAMES,
  kindInfo,
  KindWith,
} from '../../../controller/api';
import { isAlreadyExists, isConflict, isNotFound } from '../../../controller/kube/errors';
import type { KindObjects } from '../../../controller/kube/kinds';
import {
  createObject,
  getObject,
  KubeApi,
  LeaseApi,
  patchObject,
} from '../../../controller/kube/ports';

export interface ContractSubject {
  readonly api: KubeApi & LeaseApi;
  /** A namespace that exists and is empty. */
  readonly namespace: string;
  /** Store a BitcoinNetwork as a user would (`kubectl create`). */
  addNetwork(network: BitcoinNetwork): Promise<void>;
}

/** A minimal valid object of each kind the controller creates. */
const SAMPLES: {
  readonly [K in KindWith<'create'>]: (name: string, namespace: string) => KindObjects[K];
} = {
  StatefulSet: (name) => ({
    metadata: { name },
    spec: {
      replicas: 0,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'registry.invalid/c:1' }] },
      },
    },
  }),
  Service: (name) => ({
    metadata: { name },
    spec: { clusterIP: 'None', selector: { app: name }, ports: [{ name: 'rpc', port: 18443 }] },
  }),
  Secret: (name) => ({ metadata: { name }, type: 'Opaque', data: { username: 'Yml0Y29pbg==' } }),
  Event: (name, namespace) => ({
    metadata: { name },
    involvedObject: { kind: 'Pod', name: 'x', namespace },
    reason: 'Tested',
    message: 'contract',
    type: 'Normal',
  }),
  NetworkPolicy: (name) => ({
    metadata: { name },
    spec: {
      podSelector: { matchLabels: { app: name } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { peer: 'yes' } } }] }],
      egress: [{ to: [{ podSelector: { matchLabels: { peer: 'yes' } } }] }],
    },
  }),
  PodDisruptionBudget: (name) => ({
    metadata: { name },
    spec: { maxUnavailable: 1, selector: { matchLabels: { app: name } } },
  }),
};

const creatable = KIND_NAMES.filter((k) => kindInfo(k).verbs.includes('create')) as Array<
  KindWith<'create'>
>;
const gettable = KIND_NAMES.filter((k) => kindInfo(k).verbs.includes('get')) as Array<
  KindWith<'get'>
>;
const patchable = KIND_NAMES.filter((k) => kindInfo(k).verbs.includes('patch')) as Array<
  KindWith<'patch'>
>;

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

export function kubeApiContract(subject: () => ContractSubject): void {
  const ns = () => subject().namespace;

  describe.each(gettable)('get%s', (kind) => {
    test('of an object that does not exist is undefined, not an error', async () => {
      await expect(getObject(subject().api, kind, ns(), 'missing')).resolves.toBeUndefined();
    });
  });

  describe.each(creatable)('create%s', (kind) => {
    const name = `contract-${kind.toLowerCase()}`;

    test('stores the object in the namespace, with a uid and a resourceVersion', async () => {
      const body = { apiVersion: apiVersionOf(kind), kind, ...SAMPLES[kind](name, ns()) };
      const created = await createObject(subject().api, kind, ns(), body as never);
      expect(created.metadata).toMatchObject({ name, namespace: ns() });
      expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.metadata?.resourceVersion).toMatch(/^\d+$/);
      if (kindInfo(kind).verbs.includes('get')) {
        const got = await getObject(subject().api, kind as KindWith<'get'>, ns(), name);
        expect(got?.metadata?.uid).toBe(created.metadata?.uid);
      }
    });

    test('of a name that exists fails with AlreadyExists', async () => {
      const body = { apiVersion: apiVersionOf(kind), kind, ...SAMPLES[kind](name, ns()) };
      const err = await failure(createObject(subject().api, kind, ns(), body as never));
      expect(isAlreadyExists(err)).toBe(true);
      expect(isConflict(err)).toBe(false);
    });
  });

  describe.each(patchable)('patch%s', (kind) => {
    const name = `contract-${kind.toLowerCase()}`;

    test('merges a JSON merge patch into the stored object and returns it', async () => {
      const patched = await patchObject(subject().api, kind, ns(), name, {
        metadata: { labels: { patched: 'yes' } },
      });
      expect(patched.metadata?.labels).toEqual({ patched: 'yes' });
      const got = await getObject(subject().api, kind, ns(), name);
      expect(got?.metadata?.labels).toEqual({ patched: 'yes' });
      expect(got?.metadata?.resourceVersion).toBe(patched.metadata?.resourceVersion);
    });

    test('of an object that does not exist fails with NotFound', async () => {
      const err = await failure(patchObject(subject().api, kind, ns(), 'missing', {}));
      expect(isNotFound(err)).toBe(true);
    });
  });

  test('a NetworkPolicy keeps its ingress (`from`) and egress (`to`) peers through create, get and patch', async () => {
    const api = subject().api;
    const got = await api.getNetworkPolicy(ns(), 'contract-networkpolicy');
    const peers = [{ podSelector: { matchLabels: { peer: 'yes' } } }];
    expect(got?.spec?.ingress?.[0].from).toEqual(peers);
    expect(got?.spec?.egress?.[0].to).toEqual(peers);
    const ingress = [{ from: [{ podSelector: { matchLabels: { peer: 'other' } } }] }];
    const egress = [{ to: [{ podSelector: { matchLabels: { peer: 'other' } } }] }];
    const patched = await api.patchNetworkPolicy(ns(), 'contract-networkpolicy', {
      spec: { ingress, egress },
    });
    expect(patched.spec?.ingress).toEqual(ingress);
    expect(patched.spec?.egress).toEqual(egress);
  });

  describe('networks', () => {
    const network = (): BitcoinNetwork => ({
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { name: 'contract', namespace: ns() },
      spec: { nodes: 1 },
    });

    test('getNetwork of a network that does not exist is undefined', async () => {
      await expect(subject().api.getNetwork(ns(), 'missing')).resolves.toBeUndefined();
    });

    test('replaceNetworkStatus writes the status on the current resourceVersion only', async () => {
      const { api } = subject();
      await subject().addNetwork(network());
      const stored = (await api.getNetwork(ns(), 'contract'))!;
      const written = await api.replaceNetworkStatus({ ...stored, status: { replicas: 1 } });
      expect(written.status).toEqual({ replicas: 1 });
      expect(written.metadata?.generation).toBe(stored.metadata?.generation);
      // The same, stale resourceVersion again: 409 Conflict, not AlreadyExists.
      const err = await failure(api.replaceNetworkStatus({ ...stored, status: { replicas: 2 } }));
      expect(isConflict(err)).toBe(true);
      expect((await api.getNetwork(ns(), 'contract'))?.status).toEqual({ replicas: 1 });
    });
  });

  describe('leases', () => {
    const lease = (): V1Lease => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'contract', namespace: ns() },
      spec: { holderIdentity: 'a', leaseDurationSeconds: 15, renewTime: new Date() },
    });

    test('getLease of a Lease that does not exist is undefined', async () => {
      await expect(subject().api.getLease(ns(), 'missing')).resolves.toBeUndefined();
    });

    test('createLease then replaceLease on the current resourceVersion, 409 when stale', async () => {
      const { api } = subject();
      const created = await api.createLease(ns(), lease());
      const renewed = await api.replaceLease(ns(), 'contract', {
        ...created,
        spec: { ...created.spec, holderIdentity: 'b' },
      });
      expect(renewed.spec?.holderIdentity).toBe('b');
      expect(renewed.metadata?.resourceVersion).not.toBe(created.metadata?.resourceVersion);
      const err = await failure(
        api.replaceLease(ns(), 'contract', { ...created, spec: { ...created.spec } }),
      );
      expect(isConflict(err)).toBe(true);
      expect(isAlreadyExists(await failure(api.createLease(ns(), lease())))).toBe(true);
    });
  });
}
