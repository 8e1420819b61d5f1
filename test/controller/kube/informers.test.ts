/**
 * The controller's informers against a fake apiserver: cluster-wide by default, and limited to
 * their namespaces (each listed and watched on its own) when given a list.
 */
import pino from 'pino';
import { ApiClients } from '../../../controller/kube/api-clients';
import { Informers, makeInformers } from '../../../controller/kube/informers';
import { SharedAgents } from '../../../controller/kube/keep-alive';
import { FakeApiServer, json } from './fake-apiserver';

const network = (namespace: string) => ({
  apiVersion: 'bitcoin.eksplatform.dev/v1alpha1',
  kind: 'BitcoinNetwork',
  metadata: { name: 'net', namespace, uid: `uid-${namespace}`, resourceVersion: '5' },
  spec: { nodes: 1 },
});

/** Answers every list with `networks` (for networks) or nothing, and holds every watch open. */
function serve(server: FakeApiServer, networks: object[]): void {
  server.routes = [
    (r, res) => {
      if (r.method !== 'GET') return false;
      if (r.query.get('watch') === 'true') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('');
        return true;
      }
      const mine = r.path.endsWith('/bitcoinnetworks')
        ? networks.filter(
            (n) => r.path.includes(`/namespaces/${ns(n)}/`) || !/namespaces/.test(r.path),
          )
        : [];
      return json(res, 200, { kind: 'List', metadata: { resourceVersion: '7' }, items: mine });
    },
  ];
}

const ns = (obj: object) => (obj as { metadata: { namespace: string } }).metadata.namespace;

describe('makeInformers', () => {
  let server: FakeApiServer;
  let informers: Informers | undefined;

  beforeEach(() => {
    server = new FakeApiServer();
  });

  afterEach(async () => {
    await Promise.all(Object.values(informers ?? {}).map((i) => i.stop()));
    informers = undefined;
    await server.stop();
  });

  async function started(namespaces?: string[]): Promise<Informers> {
    const clients = new ApiClients(await server.start(), new SharedAgents());
    const handlers = { network: () => undefined, child: () => undefined };
    informers = makeInformers(clients, pino({ level: 'silent' }), handlers, namespaces);
    await Promise.all(Object.values(informers).map((i) => i.start()));
    await Promise.all(Object.values(informers).map((i) => i.whenSynced()));
    return informers;
  }

  const listedPaths = () =>
    [...new Set(server.requests.filter((r) => !r.query.get('watch')).map((r) => r.path))].sort();

  test('by default lists and watches every kind across all namespaces', async () => {
    serve(server, [network('team-a'), network('team-b')]);
    const inf = await started();
    expect(listedPaths()).toEqual([
      '/api/v1/pods',
      '/api/v1/secrets',
      '/api/v1/services',
      '/apis/apps/v1/statefulsets',
      '/apis/bitcoin.eksplatform.dev/v1alpha1/bitcoinnetworks',
      '/apis/networking.k8s.io/v1/networkpolicies',
      '/apis/policy/v1/poddisruptionbudgets',
    ]);
    expect(inf.networks.list().map(ns).sort()).toEqual(['team-a', 'team-b']);
  });

  test('given namespaces, lists and watches each kind in each of them, and nothing across namespaces', async () => {
    // GIVEN networks in two namespaces, one of them not watched
    serve(server, [network('team-a'), network('other')]);
    // WHEN the informers watch team-a and team-b
    const inf = await started(['team-a', 'team-b']);
    // THEN every list and watch names one of those namespaces
    const paths = listedPaths();
    expect(paths).toHaveLength(14);
    for (const team of ['team-a', 'team-b']) {
      expect(paths).toEqual(
        expect.arrayContaining([
          `/api/v1/namespaces/${team}/pods`,
          `/api/v1/namespaces/${team}/secrets`,
          `/api/v1/namespaces/${team}/services`,
          `/apis/apps/v1/namespaces/${team}/statefulsets`,
          `/apis/bitcoin.eksplatform.dev/v1alpha1/namespaces/${team}/bitcoinnetworks`,
          `/apis/networking.k8s.io/v1/namespaces/${team}/networkpolicies`,
          `/apis/policy/v1/namespaces/${team}/poddisruptionbudgets`,
        ]),
      );
    }
    const watched = server.requests.filter((r) => r.query.get('watch') === 'true');
    expect(watched.every((r) => /\/namespaces\/team-[ab]\//.test(r.path))).toBe(true);
    // AND the caches read as one, holding the watched namespace's network only
    expect(inf.networks.get('net', 'team-a')?.metadata?.uid).toBe('uid-team-a');
    expect(inf.networks.get('net', 'other')).toBeUndefined();
    expect(inf.networks.list().map(ns)).toEqual(['team-a']);
    expect(inf.networks.list('team-b')).toEqual([]);
    expect(inf.pods.hasSynced()).toBe(true);
    expect(inf.pods.health()).toEqual({ ok: true });
  });
});
