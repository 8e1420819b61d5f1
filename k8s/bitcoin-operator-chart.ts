import { Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import { GROUP, PLURAL } from '../controller/api';

/** Namespace the controller runs in. */
export const CONTROLLER_NAMESPACE = 'bitcoin-controller';
/** Name of the ServiceAccount, ClusterRole, ClusterRoleBinding and Deployment. */
export const CONTROLLER_NAME = 'bitcoin-controller';
/** Numeric user and group the controller runs as; the Dockerfile's `USER` is the same. */
export const CONTROLLER_UID = 1000;
/** Port of the controller's health server: `GET /healthz` (alive) and `GET /readyz` (ready). */
export const CONTROLLER_HEALTH_PORT = 8081;

/**
 * Everything the controller may do, and nothing more.
 *
 * - It reads networks and writes only their status subresource.
 * - It creates and updates its children (StatefulSet, Service, generated RPC Secret) and reads
 *   their pods.
 * - It never deletes: children carry a controller ownerReference, so the garbage collector
 *   removes them with their network.
 * - A generated Secret is created once and never rotated, so secrets get no update or patch.
 * - Events are written through both the core and the events.k8s.io API.
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
    verbs: ['update', 'patch'],
  },
  {
    apiGroups: ['apps'],
    resources: ['statefulsets'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'],
  },
  {
    apiGroups: [''],
    resources: ['services'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'],
  },
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch', 'create'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
];

export interface BitcoinOperatorChartProps {
  /**
   * The controller image: the `imageUri` of the DockerImageAsset built from
   * `controller/Dockerfile`, or a prebuilt image from configuration.
   */
  readonly image: string;

  /**
   * Pull policy of the controller image.
   * @default kplus.ImagePullPolicy.IF_NOT_PRESENT - asset and release tags are immutable
   */
  readonly imagePullPolicy?: kplus.ImagePullPolicy;
}

/**
 * The BitcoinNetwork controller: its Namespace, ServiceAccount, least-privilege ClusterRole and
 * binding, and a single-replica Deployment.
 *
 * Apply after {@link BitcoinCrdChart}: the controller watches BitcoinNetworks from the start.
 */
export class BitcoinOperatorChart extends Chart {
  public readonly namespaceObject: kplus.Namespace;
  public readonly serviceAccount: kplus.ServiceAccount;
  public readonly clusterRole: kplus.k8s.KubeClusterRole;
  public readonly deployment: kplus.Deployment;

  constructor(scope: Construct, id: string, props: BitcoinOperatorChartProps) {
    super(scope, id);
    validateImage(props.image);

    const labels = {
      'app.kubernetes.io/name': CONTROLLER_NAME,
      'app.kubernetes.io/component': 'controller',
      'app.kubernetes.io/part-of': 'bitcoin-operator',
    };

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
    this.clusterRole = new kplus.k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: CONTROLLER_NAME, labels },
      rules: CONTROLLER_RULES.map((rule) => ({ ...rule })),
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

    const tmp = kplus.Volume.fromEmptyDir(this, 'Tmp', 'tmp', { sizeLimit: Size.mebibytes(16) });

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: CONTROLLER_NAME, namespace: CONTROLLER_NAMESPACE, labels },
      podMetadata: { labels },
      select: false,
      // One controller at a time: there is no leader election, so never run two side by side.
      replicas: 1,
      strategy: kplus.DeploymentStrategy.recreate(),
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
          securityContext: {
            ensureNonRoot: true,
            user: CONTROLLER_UID,
            group: CONTROLLER_UID,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            privileged: false,
            capabilities: { drop: [kplus.Capability.ALL] },
            seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
          },
          resources: {
            cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(500) },
            memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
          },
          // The controller serves these on CONTROLLER_HEALTH_PORT: /healthz answers while the
          // process and its event loop are alive, /readyz once the informers have synced.
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

    // Namespace first in the manifest: kubectl applies the objects in order.
    this.serviceAccount.node.addDependency(this.namespaceObject);
    this.deployment.node.addDependency(this.namespaceObject);
  }
}

function validateImage(image: string): void {
  // CDK tokens (for example a DockerImageAsset's imageUri) resolve later; do not guess at them.
  if (image.includes('${Token[')) {
    return;
  }
  if (image.trim() === '') {
    throw new Error('image must be a container image reference, got an empty string');
  }
  if (image.endsWith(':latest')) {
    throw new Error(`image must be pinned to a version or digest, got "${image}"`);
  }
}
