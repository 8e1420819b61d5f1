/**
 * What the AWS Load Balancer Controller does that decides clean-up: while its Deployment is
 * Available it gives each Ingress of class `alb` and each LoadBalancer Service of class
 * `service.k8s.aws/nlb` a finalizer, a (fake) load balancer and a status hostname, and on
 * delete removes the load balancer, then the finalizer. Once the controller is gone nothing
 * removes the finalizers, so deleting those objects hangs and their load balancers stay, as on EKS.
 * @see https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/
 */
import { randomBytes } from 'node:crypto';
import { AdminApi, Collection } from '../../testplane/lib/admin-api';
import { collectionChanges } from './collection-changes';
import { PollLoop, PollOptions } from './poll-loop';

const ALB_CLASS = 'alb';
const NLB_CLASS = 'service.k8s.aws/nlb';
const GROUP_ANNOTATION = 'alb.ingress.kubernetes.io/group.name';
// The controller's finalizers: one per IngressGroup, one for an Ingress of its own, one for a Service.
const groupFinalizer = (group: string) => `group.ingress.k8s.aws/${group}`;
const INGRESS_FINALIZER = 'ingress.k8s.aws/resources';
const SERVICE_FINALIZER = 'service.k8s.aws/resources';

/** A load balancer as the fake ELBv2 API of the rehearsal holds it. */
export interface FakeLoadBalancer {
  readonly type: 'application' | 'network';
  readonly dnsName: string;
  /** `Ingress ns/name` or `Service ns/name` of each object it serves; a group has several. */
  readonly members: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

export interface LoadBalancerControllerOptions extends PollOptions {
  readonly clusterName: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default { namespace: 'kube-system', name: 'aws-load-balancer-controller' } */
  readonly controller?: { readonly namespace: string; readonly name: string };
}

interface Item {
  kind: 'Deployment' | 'Service' | 'Ingress';
  metadata: {
    name: string;
    namespace: string;
    annotations?: Record<string, string>;
    finalizers?: string[];
    deletionTimestamp?: string;
  };
  spec: { ingressClassName?: string; type?: string; loadBalancerClass?: string };
  status?: { availableReplicas?: number; loadBalancer?: { ingress?: { hostname?: string }[] } };
}

const WATCHED: readonly Collection[] = [
  { kind: 'Deployment', path: '/apis/apps/v1/deployments' },
  { kind: 'Service', path: '/api/v1/services' },
  { kind: 'Ingress', path: '/apis/networking.k8s.io/v1/ingresses' },
];

/** One object the controller owns, with the load balancer it belongs to. */
interface Claim {
  readonly item: Item;
  readonly member: string;
  readonly key: string;
  readonly type: FakeLoadBalancer['type'];
  readonly finalizer: string;
  /** The object's own path in the API. */
  readonly path: string;
}

export class LoadBalancerControllerStandIn {
  private readonly elbv2 = new Map<
    string,
    { type: FakeLoadBalancer['type']; dnsName: string; members: Set<string> }
  >();
  private readonly loop: PollLoop;
  private readonly api: AdminApi;

  constructor(
    kubeconfig: string,
    private readonly options: LoadBalancerControllerOptions,
  ) {
    this.api = new AdminApi(kubeconfig);
    this.loop = new PollLoop(
      'load balancer controller stand-in',
      () => this.reconcile(),
      options,
      collectionChanges(this.api, WATCHED),
    );
  }

  /** The load balancers that exist, whether or not an object still points at them. */
  loadBalancers(): FakeLoadBalancer[] {
    return [...this.elbv2.values()].map((lb) => ({
      type: lb.type,
      dnsName: lb.dnsName,
      members: [...lb.members].sort(),
      tags: { 'elbv2.k8s.aws/cluster': this.options.clusterName },
    }));
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  private async reconcile(): Promise<void> {
    const items = await this.api.listAll<Item>(WATCHED);
    const controller = this.options.controller ?? {
      namespace: 'kube-system',
      name: 'aws-load-balancer-controller',
    };
    const available = items.some(
      (i) =>
        i.kind === 'Deployment' &&
        i.metadata.namespace === controller.namespace &&
        i.metadata.name === controller.name &&
        (i.status?.availableReplicas ?? 0) > 0,
    );
    if (!available) return;
    for (const claim of items.flatMap(claimOf)) {
      if (claim.item.metadata.deletionTimestamp) await this.release(claim);
      else await this.reconcileLive(claim);
    }
  }

  private async reconcileLive(claim: Claim): Promise<void> {
    const lb = this.elbv2.get(claim.key) ?? this.create(claim);
    lb.members.add(claim.member);
    const { metadata, status } = claim.item;
    const finalizers = metadata.finalizers ?? [];
    if (!finalizers.includes(claim.finalizer)) {
      await this.api.patch(claim.path, {
        metadata: { finalizers: [...finalizers, claim.finalizer] },
      });
    }
    if (status?.loadBalancer?.ingress?.[0]?.hostname !== lb.dnsName) {
      const loadBalancer = { ingress: [{ hostname: lb.dnsName }] };
      await this.api.patch(`${claim.path}/status`, { status: { loadBalancer } });
    }
  }

  /** Deletes the load balancer once its last member goes, then lets the object go. */
  private async release(claim: Claim): Promise<void> {
    const finalizers = claim.item.metadata.finalizers ?? [];
    if (!finalizers.includes(claim.finalizer)) return;
    const lb = this.elbv2.get(claim.key);
    lb?.members.delete(claim.member);
    if (lb && lb.members.size === 0) this.elbv2.delete(claim.key);
    await this.api.patch(claim.path, {
      metadata: { finalizers: finalizers.filter((f) => f !== claim.finalizer) },
    });
  }

  private create(claim: Claim) {
    const region = this.options.region ?? 'us-east-1';
    const id = randomBytes(5).toString('hex');
    const slug = claim.key
      .replace(/^[a-z]+:/, '')
      .replace(/[^a-z0-9]+/g, '')
      .slice(0, 20);
    // The DNS names ELB gives an ALB and an NLB, whose shapes differ.
    const dnsName =
      claim.type === 'application'
        ? `k8s-${slug}-${id}.${region}.elb.amazonaws.com`
        : `k8s-${slug}-${id}.elb.${region}.amazonaws.com`;
    const lb = { type: claim.type, dnsName, members: new Set<string>() };
    this.elbv2.set(claim.key, lb);
    return lb;
  }
}

/** The controller's share of an object: which load balancer it belongs to and its finalizer. */
function claimOf(item: Item): Claim[] {
  const { namespace, name, annotations = {} } = item.metadata;
  if (item.kind === 'Ingress') {
    const className = item.spec.ingressClassName ?? annotations['kubernetes.io/ingress.class'];
    if (className !== ALB_CLASS) return [];
    const group = annotations[GROUP_ANNOTATION];
    return [
      {
        item,
        member: `Ingress ${namespace}/${name}`,
        key: group ? `group:${group}` : `ingress:${namespace}/${name}`,
        type: 'application',
        finalizer: group ? groupFinalizer(group) : INGRESS_FINALIZER,
        path: `/apis/networking.k8s.io/v1/namespaces/${namespace}/ingresses/${name}`,
      },
    ];
  }
  if (
    item.kind === 'Service' &&
    item.spec.type === 'LoadBalancer' &&
    item.spec.loadBalancerClass === NLB_CLASS
  ) {
    return [
      {
        item,
        member: `Service ${namespace}/${name}`,
        key: `service:${namespace}/${name}`,
        type: 'network',
        finalizer: SERVICE_FINALIZER,
        path: `/api/v1/namespaces/${namespace}/services/${name}`,
      },
    ];
  }
  return [];
}
