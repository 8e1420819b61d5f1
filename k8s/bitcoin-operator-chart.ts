import { Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import {
  CONTROLLER_NAME,
  CONTROLLER_NAMESPACE,
  CONTROLLER_POD_LABELS,
  CONTROLLER_UID,
  DEFAULT_HEALTH_PORT,
  ENV,
  GROUP,
  KINDS,
  LABEL_MANAGED_BY,
  LEASE_NAME,
  MANAGED_BY,
  PLURAL,
  RPC_PORT,
} from '../controller/api';
import { ApiServerAddress } from './api-server';
import { networkNamespacePolicy } from './network-namespace-policy';
import { allowEgress, allowIngress, denyAllIngress, denyEgressButDns } from './network-policies';
import { limitEphemeralStorage, restrictedContainer } from './common';

/** Namespace the controller runs in. */
export { CONTROLLER_NAMESPACE };
/** Name of the ServiceAccount, ClusterRole, Role, their bindings and the Deployment. */
export { CONTROLLER_NAME };
/** Numeric user and group the controller runs as; the Dockerfile's `USER` is the same. */
export { CONTROLLER_UID };
/** Controller replicas: one leads (by a Lease), the other stands by with warm caches. */
export const CONTROLLER_REPLICAS = 2;
/** Port of the controller's health server: `GET /healthz` (alive) and `GET /readyz` (ready). */
export const CONTROLLER_HEALTH_PORT = DEFAULT_HEALTH_PORT;
/**
 * V8 settings of the controller process, its container's NODE_OPTIONS: young-generation
 * semispaces of 4 MiB instead of Node's 16. The controller allocates little per second, and the
 * default young generation alone kept 32 MiB resident (npm run bench:e2e).
 */
export const CONTROLLER_NODE_OPTIONS = '--max-semi-space-size=4';

/**
 * Everything the controller may do where it serves networks, and nothing more: exactly the calls
 * of `controller/kube/ports.ts` (KubeApi) and the list/watch of its informers
 * (`controller/kube/informers.ts`), both derived from the kinds table (`controller/api/kinds.ts`),
 * which says why each kind gets its verbs. The ClusterRole grants them in every namespace, or the
 * Role of each namespace in namespaced mode. `test/controller/operator-e2e.plane.test.ts` compares
 * them with the calls the controller makes on a real apiserver.
 *
 * - It reads networks (get: the re-read after a status conflict) and writes only their status
 *   subresource, by update.
 * - It never deletes: children carry a controller ownerReference, so the garbage collector
 *   removes them with their network.
 */
export const CONTROLLER_RULES: readonly kplus.k8s.PolicyRule[] = [
  {
    apiGroups: [GROUP],
    resources: [PLURAL],
    verbs: ['get', 'list', 'watch'],
  },
  {
    apiGroups: [GROUP],
    resources: [`${PLURAL}/status`],
    verbs: ['update'],
  },
  ...Object.values(KINDS).map((kind) => ({
    apiGroups: [kind.group],
    resources: [kind.plural],
    verbs: [...kind.verbs],
  })),
];

/**
 * Leader election, in the controller's own namespace only (a Role, not the ClusterRole): create
 * the Lease (RBAC cannot limit create by name), then read and renew only that Lease.
 */
export const LEADER_ELECTION_RULES: readonly kplus.k8s.PolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
  {
    apiGroups: ['coordination.k8s.io'],
    resources: ['leases'],
    resourceNames: [LEASE_NAME],
    verbs: ['get', 'update'],
  },
];

/**
 * Grants the controller {@link CONTROLLER_RULES} in `namespace` only: a Role and a RoleBinding
 * named `bitcoin-controller`. The namespace must exist when they are applied.
 */
export function grantNamespace(
  scope: Construct,
  namespace: string,
): [kplus.k8s.KubeRole, kplus.k8s.KubeRoleBinding] {
  const metadata = { name: CONTROLLER_NAME, namespace, labels: { ...CONTROLLER_POD_LABELS } };
  const role = new kplus.k8s.KubeRole(scope, `Role-${namespace}`, {
    metadata,
    rules: CONTROLLER_RULES.map((rule) => ({ ...rule })),
  });
  const binding = new kplus.k8s.KubeRoleBinding(scope, `RoleBinding-${namespace}`, {
    metadata,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: CONTROLLER_NAME },
    subjects: [{ kind: 'ServiceAccount', name: CONTROLLER_NAME, namespace: CONTROLLER_NAMESPACE }],
  });
  return [role, binding];
}

export interface BitcoinOperatorChartProps {
  /**
   * The controller image: the `imageUri` of the DockerImageAsset built from
   * `controller/Dockerfile`, or a prebuilt image from configuration (`controllerImage`, whose
   * value type refuses unpinned references).
   */
  readonly image: string;

  /**
   * Pull policy of the controller image.
   * @default kplus.ImagePullPolicy.IF_NOT_PRESENT - asset and release tags are immutable
   */
  readonly imagePullPolicy?: kplus.ImagePullPolicy;

  /**
   * Namespaced mode: the namespaces the controller watches, each with a Role and RoleBinding
   * ({@link grantNamespace}), while the ClusterRole grants nothing.
   * @default - every namespace, through the ClusterRole
   */
  readonly namespaces?: readonly string[];

  /**
   * Of `namespaces`, those that a chart applied later creates and grants the controller in
   * itself, with {@link grantNamespace}: a Role cannot be applied before its namespace exists.
   * @default []
   */
  readonly grantedLater?: readonly string[];

  /**
   * Where the controller reaches the Kubernetes API server, which only the target knows (see
   * `apiServerAddresses`); its egress policy opens these and nothing else but DNS and bitcoind's
   * RPC port.
   */
  readonly apiServer: readonly ApiServerAddress[];
}

/**
 * The BitcoinNetwork controller: its Namespace, ServiceAccount, least-privilege ClusterRole (or,
 * in namespaced mode, a Role in each namespace it serves) and leader-election Role with their
 * bindings, an admission policy refusing networks where it does not serve them, a two-replica
 * Deployment with leader election, its PodDisruptionBudget, and NetworkPolicies that admit only
 * the health and metrics port and let the controller call only DNS, the API server and bitcoind's
 * RPC port.
 *
 * Apply after {@link BitcoinCrdChart}: the controller watches BitcoinNetworks from the start.
 */
export class BitcoinOperatorChart extends Chart {
  public readonly namespaceObject: kplus.Namespace;
  public readonly serviceAccount: kplus.ServiceAccount;
  public readonly clusterRole: kplus.k8s.KubeClusterRole;
  public readonly role: kplus.k8s.KubeRole;
  public readonly deployment: kplus.Deployment;
  public readonly podDisruptionBudget: kplus.k8s.KubePodDisruptionBudget;

  constructor(scope: Construct, id: string, props: BitcoinOperatorChartProps) {
    super(scope, id);
    const namespaces = props.namespaces ?? [];
    const grantedLater = props.grantedLater ?? [];
    // The per-network NetworkPolicies the controller writes admit RPC from pods with these labels.
    const labels = { ...CONTROLLER_POD_LABELS };

    this.namespaceObject = new kplus.Namespace(this, 'Namespace', {
      metadata: {
        name: CONTROLLER_NAMESPACE,
        labels: {
          ...labels,
          // The controller pod meets the restricted Pod Security Standard; let admission prove it.
          'pod-security.kubernetes.io/enforce': 'restricted',
        },
      },
    });

    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: CONTROLLER_NAME, namespace: CONTROLLER_NAMESPACE, labels },
      // Only the controller pod, which opts in below, gets a token.
      automountToken: false,
    });

    // Typed k8s objects rather than kplus.ClusterRole, so that the rules come out exactly as
    // written above (kplus splits them per resource and adds empty resourceNames).
    // In namespaced mode it stays, with no rules: kubectl apply --prune cannot delete RBAC
    // objects, so a dropped ClusterRoleBinding would keep granting everything cluster-wide.
    this.clusterRole = new kplus.k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: CONTROLLER_NAME, labels },
      rules: namespaces.length > 0 ? [] : CONTROLLER_RULES.map((rule) => ({ ...rule })),
    });

    new kplus.k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: CONTROLLER_NAME, labels },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: CONTROLLER_NAME,
      },
      subjects: [
        { kind: 'ServiceAccount', name: CONTROLLER_NAME, namespace: CONTROLLER_NAMESPACE },
      ],
    });

    // A network where the controller does not serve it is refused at creation.
    networkNamespacePolicy(this, namespaces, labels);

    this.role = new kplus.k8s.KubeRole(this, 'LeaderElectionRole', {
      metadata: { name: CONTROLLER_NAME, namespace: CONTROLLER_NAMESPACE, labels },
      rules: LEADER_ELECTION_RULES.map((rule) => ({ ...rule })),
    });

    const roleBinding = new kplus.k8s.KubeRoleBinding(this, 'LeaderElectionRoleBinding', {
      metadata: { name: CONTROLLER_NAME, namespace: CONTROLLER_NAMESPACE, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: CONTROLLER_NAME },
      subjects: [
        { kind: 'ServiceAccount', name: CONTROLLER_NAME, namespace: CONTROLLER_NAMESPACE },
      ],
    });

    // Before the Deployment in the manifest, so that the controller starts with its grants.
    for (const ns of namespaces.filter((n) => !grantedLater.includes(n))) grantNamespace(this, ns);

    const tmpSize = Size.mebibytes(16);
    const tmp = kplus.Volume.fromEmptyDir(this, 'Tmp', 'tmp', { sizeLimit: tmpSize });

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: {
        name: CONTROLLER_NAME,
        namespace: CONTROLLER_NAMESPACE,
        labels,
        annotations: {
          'checkov.io/skip1':
            'CKV_K8S_38=the controller is a Kubernetes API client: its ServiceAccount token is how it authenticates',
        },
      },
      podMetadata: { labels },
      select: false,
      // Only the Lease holder reconciles; the standby takes over within the lease duration (15 s)
      // of a crash, at once after a graceful stop. A rolling update is safe: one new pod at a
      // time, and an old one goes only when the new one is ready.
      replicas: CONTROLLER_REPLICAS,
      strategy: kplus.DeploymentStrategy.rollingUpdate({
        maxSurge: kplus.PercentOrAbsolute.absolute(1),
        maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
      }),
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: true,
      securityContext: {
        ensureNonRoot: true,
        user: CONTROLLER_UID,
        group: CONTROLLER_UID,
        fsGroup: CONTROLLER_UID,
      },
      // SIGTERM drains the work queue; give in-flight reconciles and RPC calls time to finish.
      terminationGracePeriod: Duration.seconds(30),
      volumes: [tmp],
      containers: [
        {
          name: 'controller',
          image: props.image,
          imagePullPolicy: props.imagePullPolicy ?? kplus.ImagePullPolicy.IF_NOT_PRESENT,
          ports: [{ name: 'health', number: CONTROLLER_HEALTH_PORT }],
          // Identity and namespace for the leader Lease, from the downward API.
          envVariables: {
            [ENV.podName]: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
            [ENV.podNamespace]: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
            [ENV.leaderElect]: kplus.EnvValue.fromValue('true'),
            ...(namespaces.length > 0 && {
              [ENV.namespaces]: kplus.EnvValue.fromValue(namespaces.join(',')),
            }),
            // Memory settings of the node runtime.
            NODE_OPTIONS: kplus.EnvValue.fromValue(CONTROLLER_NODE_OPTIONS),
          },
          securityContext: restrictedContainer(CONTROLLER_UID, CONTROLLER_UID),
          resources: {
            cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(500) },
            // Measured: 105 MB idle, 143 MB with 1000 networks cached, 151 MB at peak
            // (npm run bench:e2e).
            memory: { request: Size.mebibytes(256), limit: Size.mebibytes(512) },
          },
          // The controller serves these on CONTROLLER_HEALTH_PORT: /healthz answers while the
          // event loop is alive and no informer is stuck; /readyz once the informers have synced
          // and the process leads or stands by (both replicas are ready).
          // Probing the process's own HTTP server is the honest signal: an exec check or a bare
          // TCP connect would pass for a wedged event loop.
          liveness: kplus.Probe.fromHttpGet('/healthz', {
            port: CONTROLLER_HEALTH_PORT,
            initialDelaySeconds: Duration.seconds(10),
            periodSeconds: Duration.seconds(10),
            timeoutSeconds: Duration.seconds(2),
            failureThreshold: 3,
          }),
          readiness: kplus.Probe.fromHttpGet('/readyz', {
            port: CONTROLLER_HEALTH_PORT,
            periodSeconds: Duration.seconds(5),
            timeoutSeconds: Duration.seconds(2),
            failureThreshold: 3,
          }),
          volumeMounts: [{ path: '/tmp', volume: tmp }],
        },
      ],
    });
    this.deployment.select(kplus.LabelSelector.of({ labels }));
    limitEphemeralStorage(this.deployment, tmpSize);

    // A node drain never takes both replicas at once, and a crash-looping one never blocks it.
    this.podDisruptionBudget = new kplus.k8s.KubePodDisruptionBudget(this, 'Budget', {
      metadata: { name: CONTROLLER_NAME, namespace: CONTROLLER_NAMESPACE, labels },
      spec: {
        minAvailable: kplus.k8s.IntOrString.fromNumber(1),
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
        selector: { matchLabels: labels },
      },
    });

    // Nothing connects to the controller except the kubelet's probes and Prometheus.
    const denyAll = denyAllIngress(this, CONTROLLER_NAMESPACE, labels);
    const allowHealth = allowIngress(this, {
      name: 'allow-health-and-metrics',
      namespace: CONTROLLER_NAMESPACE,
      labels,
      pods: labels,
      ports: [CONTROLLER_HEALTH_PORT],
    });
    // The controller calls the API server and the RPC port of the bitcoind pods it made, in
    // whatever namespace their networks are; nothing else but DNS.
    const egress = [
      ...denyEgressButDns(this, CONTROLLER_NAMESPACE, labels),
      allowEgress(this, {
        name: 'allow-api-server',
        namespace: CONTROLLER_NAMESPACE,
        labels,
        pods: labels,
        rules: props.apiServer.map(({ cidr, port }) => ({
          to: [{ ipBlock: { cidr } }],
          ports: [{ protocol: 'TCP', port }],
        })),
      }),
      allowEgress(this, {
        name: 'allow-bitcoind-rpc',
        namespace: CONTROLLER_NAMESPACE,
        labels,
        pods: labels,
        rules: [
          {
            to: [
              {
                namespaceSelector: {},
                podSelector: { matchLabels: { [LABEL_MANAGED_BY]: MANAGED_BY } },
              },
            ],
            ports: [{ protocol: 'TCP', port: RPC_PORT }],
          },
        ],
      }),
    ];

    // Namespace first in the manifest: kubectl applies the objects in order.
    for (const obj of [
      this.serviceAccount,
      this.role,
      roleBinding,
      this.deployment,
      this.podDisruptionBudget,
      denyAll,
      allowHealth,
      ...egress,
    ]) {
      obj.node.addDependency(this.namespaceObject);
    }
  }
}
