import * as net from 'node:net';
import { cidrContains, parseCidr } from '../../../tools/netns/cidr';
import { VERSIONS } from '../../../tools/testplane/lib/binaries';
import { eventually } from '../../../tools/testplane/lib/eventually';
import { getJson, kubectl } from '../../../tools/testplane/lib/kubectl';
import { WRITE_VERBS } from '../../../tools/testplane/plane';
import { withTestPlane } from '../../helpers/with-test-plane';

interface Pod {
  metadata: { name: string };
  spec: { nodeName?: string };
  status: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] };
}

const NAMESPACE = 'smoke';
const WEB_PODS = ['pods', '-n', NAMESPACE, '-l', 'app=web'];

interface EndpointSlice {
  endpoints?: { addresses: string[] }[];
}

const statefulSet = (replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web', namespace: NAMESPACE },
  spec: {
    replicas,
    serviceName: 'web',
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'registry.invalid/web:1' }] },
    },
  },
});

const headlessService = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: NAMESPACE },
  spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ name: 'rpc', port: 8332 }] },
};

withTestPlane('a control plane on loopback', (plane) => {
  const k = (args: string[], stdin?: string) => kubectl(plane().kubeconfig, args, stdin);

  test('serves the pinned Kubernetes version', async () => {
    const version = JSON.parse(await k(['get', '--raw', '/version'])) as { gitVersion: string };
    expect(version.gitVersion).toBe(VERSIONS.kubernetes);
  });

  test('gives a new namespace its default ServiceAccount and runs a Deployment', async () => {
    await k(['create', 'namespace', NAMESPACE]);
    const image = '--image=registry.invalid/api:1';
    await k(['create', 'deployment', 'api', image, '--replicas=2', '-n', NAMESPACE]);
    await k(['rollout', 'status', 'deployment/api', '-n', NAMESPACE, '--timeout=90s']);
    const sa = await getJson<{ metadata: { name: string } }>(plane().kubeconfig, [
      'serviceaccount/default',
      '-n',
      NAMESPACE,
    ]);
    expect(sa.metadata.name).toBe('default');
  });

  test('runs StatefulSet pods on the kwok nodes, Ready, with IPs from the pod CIDR', async () => {
    await k(['apply', '-f', '-'], JSON.stringify(headlessService));
    await k(['apply', '-f', '-'], JSON.stringify(statefulSet(3)));
    await k(['rollout', 'status', 'statefulset/web', '-n', NAMESPACE, '--timeout=90s']);
    const pods = await getJson<{ items: Pod[] }>(plane().kubeconfig, WEB_PODS);
    expect(pods.items.map((p) => p.metadata.name).sort()).toEqual(['web-0', 'web-1', 'web-2']);
    for (const pod of pods.items) {
      expect(pod.status.phase).toBe('Running');
      expect(pod.status.conditions).toContainEqual(
        expect.objectContaining({ type: 'Ready', status: 'True' }),
      );
      expect(plane().nodeNames).toContain(pod.spec.nodeName);
      const ip = parseCidr(`${pod.status.podIP}/32`, 'podIP');
      expect(cidrContains(parseCidr(plane().podCidr, 'podCidr'), ip)).toBe(true);
    }
  });

  test('publishes the pod IPs in EndpointSlices, which loopback pod IPs would not pass', async () => {
    const selector = ['-n', NAMESPACE, '-l', 'kubernetes.io/service-name=web'];
    await eventually(async () => {
      const slices = await getJson<{ items: EndpointSlice[] }>(plane().kubeconfig, [
        'endpointslices',
        ...selector,
      ]);
      const addresses = slices.items.flatMap((s) =>
        (s.endpoints ?? []).flatMap((e) => e.addresses),
      );
      expect(addresses).toHaveLength(3);
    });
  });

  test('lets a server bind a pod IP and be reached at it, as in a cluster', async () => {
    const pods = await getJson<{ items: Pod[] }>(plane().kubeconfig, WEB_PODS);
    const ip = pods.items[0].status.podIP!;
    const server = net.createServer((socket) => socket.end(`pod ${socket.localAddress}`));
    await new Promise<void>((resolve) => server.listen(0, ip, resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      const reply = await new Promise<string>((resolve, reject) => {
        let text = '';
        net
          .connect(port, ip)
          .on('data', (d) => (text += d))
          .on('end', () => resolve(text))
          .on('error', reject);
      });
      expect(reply).toBe(`pod ${ip}`);
    } finally {
      server.close();
    }
  });

  test('authorizes a ServiceAccount by RBAC only', async () => {
    await k(['create', 'serviceaccount', 'reader', '-n', NAMESPACE]);
    const asReader = await plane().serviceAccountKubeconfig(NAMESPACE, 'reader');
    await expect(kubectl(asReader, ['get', 'pods', '-n', NAMESPACE])).rejects.toThrow(
      /User "system:serviceaccount:smoke:reader" cannot list resource "pods"/,
    );
    await k(['create', 'role', 'pod-reader', '--verb=list', '--resource=pods', '-n', NAMESPACE]);
    const binding = ['--role=pod-reader', '--serviceaccount=smoke:reader', '-n', NAMESPACE];
    await k(['create', 'rolebinding', 'reader', ...binding]);
    await eventually(() => kubectl(asReader, ['get', 'pods', '-n', NAMESPACE]));
  });

  test('garbage-collects the pods of a deleted StatefulSet', async () => {
    await k(['delete', 'statefulset/web', '-n', NAMESPACE, '--wait=true']);
    await k(['wait', '--for=delete', ...WEB_PODS, '--timeout=60s']);
    const pods = await getJson<{ items: Pod[] }>(plane().kubeconfig, WEB_PODS);
    expect(pods.items).toEqual([]);
  });

  test('audits writes per user, including each controller under its own ServiceAccount', () => {
    const writes = plane()
      .auditEvents()
      .filter((e) => WRITE_VERBS.has(e.verb));
    const by = (user: string, resource: string) =>
      writes.filter((e) => e.user.username === user && e.objectRef?.resource === resource);
    expect(by('kubernetes-admin', 'statefulsets').length).toBeGreaterThan(0);
    expect(
      by('system:serviceaccount:kube-system:statefulset-controller', 'pods').length,
    ).toBeGreaterThanOrEqual(3);
    expect(
      by('system:serviceaccount:kube-system:generic-garbage-collector', 'pods').length,
    ).toBeGreaterThanOrEqual(3);
  });

  test('survives a kube-apiserver restart with its data', async () => {
    await plane().stopApiserver();
    await expect(k(['get', 'namespace', NAMESPACE, '--request-timeout=2s'])).rejects.toThrow();
    await plane().startApiserver();
    await k(['apply', '-f', '-'], JSON.stringify(statefulSet(1)));
    await k(['rollout', 'status', 'statefulset/web', '-n', NAMESPACE, '--timeout=90s']);
    // A pod created after the restart is scheduled and started (the scheduler had stalled here).
    await k(['scale', 'statefulset/web', '-n', NAMESPACE, '--replicas=2']);
    await k(['rollout', 'status', 'statefulset/web', '-n', NAMESPACE, '--timeout=90s']);
    const { items } = await getJson<{ items: Pod[] }>(plane().kubeconfig, WEB_PODS);
    expect(items.map((pod) => pod.spec.nodeName)).toEqual([expect.any(String), expect.any(String)]);
  });
});
