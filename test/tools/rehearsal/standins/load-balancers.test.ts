import { LoadBalancerControllerStandIn } from '../../../../tools/rehearsal/standins/load-balancers';
import { eventually } from '../../../../tools/testplane/lib/eventually';
import { getJson, kubectl } from '../../../../tools/testplane/lib/kubectl';
import { sleep } from '../../../../tools/testplane/lib/process';
import { withTestPlane } from '../../../helpers/with-test-plane';

const NAMESPACE = 'web';

const ingress = (name: string, group?: string) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: {
    name,
    namespace: NAMESPACE,
    ...(group ? { annotations: { 'alb.ingress.kubernetes.io/group.name': group } } : {}),
  },
  spec: {
    ingressClassName: 'alb',
    defaultBackend: { service: { name: 'httpd-service', port: { number: 8080 } } },
  },
});

const loadBalancerService = (name: string, loadBalancerClass?: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: NAMESPACE },
  spec: {
    type: 'LoadBalancer',
    ...(loadBalancerClass ? { loadBalancerClass } : {}),
    selector: { app: name },
    ports: [{ port: 80 }],
  },
});

withTestPlane('the load balancer controller stand-in', (plane) => {
  // Its own block, so its afterAll stops the stand-in before the plane goes.
  describe('Ingresses of class alb and Services of class service.k8s.aws/nlb', () => {
    let controller: LoadBalancerControllerStandIn;
    const k = (args: string[], stdin?: string) => kubectl(plane().kubeconfig, args, stdin);
    const create = (object: unknown) => k(['create', '-f', '-'], JSON.stringify(object));
    const get = (resource: string, name: string) =>
      getJson<any>(plane().kubeconfig, [resource, name, '-n', NAMESPACE]);
    const gone = (resource: string, name: string) =>
      k(['get', resource, name, '-n', NAMESPACE, '-o', 'name', '--ignore-not-found']);

    beforeAll(async () => {
      await k(['create', 'namespace', NAMESPACE]);
      const image = '--image=registry.invalid/aws-load-balancer-controller:v3.2.2';
      await k(['create', 'deployment', 'aws-load-balancer-controller', image, '-n', 'kube-system']);
      await k([
        'rollout',
        'status',
        'deployment/aws-load-balancer-controller',
        '-n',
        'kube-system',
      ]);
      controller = new LoadBalancerControllerStandIn(plane().kubeconfig, {
        clusterName: 'bitcoin-platform',
      });
      controller.start();
    });
    afterAll(() => controller?.stop());

    test('an Ingress of an IngressGroup gets the group finalizer and an ALB hostname', async () => {
      await create(ingress('web', 'platform-web'));
      const object = await eventually(async () => {
        const current = await get('ingress', 'web');
        expect(current.status.loadBalancer.ingress[0].hostname).toMatch(
          /^k8s-platformweb-[0-9a-f]{10}\.us-east-1\.elb\.amazonaws\.com$/,
        );
        return current;
      });
      expect(object.metadata.finalizers).toEqual(['group.ingress.k8s.aws/platform-web']);
      expect(controller.loadBalancers()).toEqual([
        {
          type: 'application',
          dnsName: object.status.loadBalancer.ingress[0].hostname,
          members: ['Ingress web/web'],
          tags: { 'elbv2.k8s.aws/cluster': 'bitcoin-platform' },
        },
      ]);
    });

    test('an NLB Service gets its finalizer and hostname; other LoadBalancer Services are not its', async () => {
      await create(loadBalancerService('nlb', 'service.k8s.aws/nlb'));
      await create(loadBalancerService('other'));
      const nlb = await eventually(async () => {
        const current = await get('service', 'nlb');
        expect(current.status.loadBalancer.ingress[0].hostname).toMatch(
          /\.elb\.us-east-1\.amazonaws\.com$/,
        );
        return current;
      });
      expect(nlb.metadata.finalizers).toEqual(['service.k8s.aws/resources']);
      const other = await get('service', 'other');
      expect(other.metadata.finalizers).toBeUndefined();
      expect(other.status.loadBalancer).toEqual({});
      expect(
        controller
          .loadBalancers()
          .map((lb) => lb.type)
          .sort(),
      ).toEqual(['application', 'network']);
    });

    test('deleting an Ingress while the controller runs removes its load balancer, then the Ingress', async () => {
      await k(['delete', 'ingress', 'web', '-n', NAMESPACE, '--wait=true', '--timeout=30s']);
      expect(await gone('ingress', 'web')).toBe('');
      expect(controller.loadBalancers().map((lb) => lb.members)).toEqual([['Service web/nlb']]);
    });

    test('once the controller Deployment is gone, a deleted NLB Service hangs and its NLB stays', async () => {
      await k([
        'delete',
        'deployment',
        'aws-load-balancer-controller',
        '-n',
        'kube-system',
        '--wait=true',
      ]);
      await k(['delete', 'service', 'nlb', '-n', NAMESPACE, '--wait=false']);
      await sleep(2_000);
      const hanging = await get('service', 'nlb');
      expect(hanging.metadata.deletionTimestamp).toBeDefined();
      expect(hanging.metadata.finalizers).toEqual(['service.k8s.aws/resources']);
      expect(controller.loadBalancers().map((lb) => lb.members)).toEqual([['Service web/nlb']]);
    });
  });
});
