import { Chart, ChartProps, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { k8s } from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import { drainOneAtATime } from './disruption-budgets';
import { type PlatformConfig, ThroughputVolume } from '../config';
import {
  Namespaces,
  PlatformTarget,
  appLabels,
  limitEphemeralStorage,
  platformLabels,
  restrictedContainer,
} from './common';

/** The EBS CSI driver, installed as an EKS add-on by the infrastructure stack. */
export const EBS_CSI_PROVISIONER = 'ebs.csi.aws.com';
/** The local-path provisioner that kind ships (its `standard` class uses it too). */
export const LOCAL_PATH_PROVISIONER = 'rancher.io/local-path';
export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';

/** Our classes. Never `gp2`: EKS already has one, and it must stay the AWS-managed one. */
export const StorageClassNames = { GP3: 'gp3', ST1: 'st1', COLD: 'cold' } as const;

export const PvcNames = { DEMO: 'demo-data' } as const;

/**
 * A claim's class cannot change after creation, so each class gets its own claim: switching
 * `throughputVolume` from st1 to cold prunes one claim and creates the other, where a shared
 * name would make the update fail.
 */
export const throughputClaimName = (volumeClass: string): string => `throughput-${volumeClass}`;

/**
 * Deployed claims' names, by the name this version gives the claim, where the two differ: a
 * renamed claim would be deleted with its volume, so a deployed one keeps its name.
 */
export type KeptClaimNames = Readonly<Record<string, string>>;

/**
 * The static PV and its claim are named after the volume: a PV's volume handle and a claim's
 * volume name cannot change, so pointing `staticVolumeId` at another volume replaces both.
 */
export const staticVolumeName = (volumeId: string): string => `static-${volumeId}`;

/**
 * The capacity the static PV declares and its claim requests. Kubernetes only matches the two
 * (the EBS volume keeps its real size), and a claim without a class cannot be resized, so it is
 * fixed rather than tied to a config key whose change would make the update fail.
 */
export const STATIC_VOLUME_NOMINAL_SIZE = '1Gi';
export const DeploymentNames = { DEMO: 'volume-demo', STATIC: 'static-volume-demo' } as const;
export const BUSYBOX_IMAGE = 'busybox:1.37';

/** Sizes and opt-ins come from config, which has checked them (see docs/configuration.md). */
export interface StorageChartProps
  extends
    ChartProps,
    Pick<
      PlatformConfig,
      | 'demoVolumeSize'
      | 'throughputVolume'
      | 'throughputVolumeSize'
      | 'staticVolumeId'
      | 'staticVolumeZone'
    > {
  readonly target: PlatformTarget;
  /**
   * The names deployed claims keep (recorded in cdk.context.json by the CDK app).
   * @default - every claim gets the name this version gives it
   */
  readonly keptClaimNames?: KeptClaimNames;
}

interface ClassSpec {
  readonly name: string;
  readonly ebsType: string;
  readonly isDefault: boolean;
}

const CLASSES: readonly ClassSpec[] = [
  { name: StorageClassNames.GP3, ebsType: 'gp3', isDefault: true },
  { name: StorageClassNames.ST1, ebsType: 'st1', isDefault: false },
  { name: StorageClassNames.COLD, ebsType: 'sc1', isDefault: false },
];

/**
 * Storage classes and demo volumes.
 *
 * EKS: `gp3` (the one default class), `st1` and `cold` (sc1), all encrypted, provisioned by the
 * EBS CSI driver with `WaitForFirstConsumer` (the volume is created in the zone where its pod is
 * scheduled) and reclaim policy `Delete` (deleting the claim deletes the EBS volume).
 * local: the same class names on the local-path provisioner, none marked default, because kind's
 * own `standard` class already is.
 */
export class StorageChart extends Chart {
  constructor(scope: Construct, id: string, props: StorageChartProps) {
    super(scope, id, props);
    const eks = props.target === 'eks';

    for (const spec of CLASSES) {
      storageClass(this, spec, eks);
    }

    const claims: Array<{ name: string; path: string }> = [{ name: PvcNames.DEMO, path: '/data' }];
    claim(this, PvcNames.DEMO, StorageClassNames.GP3, props.demoVolumeSize);
    if (props.throughputVolume !== ThroughputVolume.NONE) {
      const named = throughputClaimName(props.throughputVolume);
      const name = props.keptClaimNames?.[named] ?? named;
      claim(this, name, props.throughputVolume, props.throughputVolumeSize);
      claims.push({ name, path: '/throughput' });
    }
    const demos = [volumeDemo(this, DeploymentNames.DEMO, claims)];

    // A static PV needs a real EBS volume, so it exists only on EKS.
    if (eks && props.staticVolumeId) {
      const name = staticVolumeName(props.staticVolumeId);
      staticVolume(this, name, props.staticVolumeId, props.staticVolumeZone);
      demos.push(volumeDemo(this, DeploymentNames.STATIC, [{ name, path: '/data' }]));
    }
    // One budget for every demo, kept under the name it was deployed with (an earlier version's
    // budget, dropped, would be deleted only after this deploy's rollout). It lets each demo's one
    // pod go: a single replica is down whenever it moves, so a drain never waits on one, and a
    // deploy that changes both demos restarts them together, within the budget.
    const storage = platformLabels('storage');
    drainOneAtATime(this, 'demos-budget', {
      name: 'volume-demos',
      namespace: Namespaces.STORAGE_DEMO,
      labels: storage,
      matchLabels: storage,
      maxUnavailable: demos.length,
    });
  }
}

function storageClass(scope: Construct, spec: ClassSpec, eks: boolean): k8s.KubeStorageClass {
  const isDefault = eks && spec.isDefault;
  return new k8s.KubeStorageClass(scope, `class-${spec.name}`, {
    metadata: {
      name: spec.name,
      labels: platformLabels('storage'),
      annotations: isDefault ? { [DEFAULT_CLASS_ANNOTATION]: 'true' } : undefined,
    },
    provisioner: eks ? EBS_CSI_PROVISIONER : LOCAL_PATH_PROVISIONER,
    parameters: eks
      ? { type: spec.ebsType, encrypted: 'true', 'csi.storage.k8s.io/fstype': 'ext4' }
      : undefined,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
    // The local-path provisioner cannot grow a volume.
    allowVolumeExpansion: eks,
  });
}

function claim(
  scope: Construct,
  name: string,
  storageClassName: string,
  size: string,
  volumeName?: string,
): k8s.KubePersistentVolumeClaim {
  return new k8s.KubePersistentVolumeClaim(scope, `pvc-${name}`, {
    metadata: { name, namespace: Namespaces.STORAGE_DEMO, labels: appLabels(name, 'storage') },
    spec: {
      accessModes: ['ReadWriteOnce'],
      storageClassName,
      volumeName,
      resources: { requests: { storage: k8s.Quantity.fromString(size) } },
    },
  });
}

/**
 * A pre-existing EBS volume as the PV `name`, pre-bound to the claim of the same name. Retain:
 * the volume is not ours to delete.
 */
function staticVolume(scope: Construct, name: string, volumeId: string, zone?: string): void {
  new k8s.KubePersistentVolume(scope, 'pv-static', {
    metadata: { name, labels: appLabels(name, 'storage') },
    spec: {
      capacity: { storage: k8s.Quantity.fromString(STATIC_VOLUME_NOMINAL_SIZE) },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      // No class: this volume is bound by name, never provisioned.
      storageClassName: '',
      claimRef: { namespace: Namespaces.STORAGE_DEMO, name },
      csi: { driver: EBS_CSI_PROVISIONER, volumeHandle: volumeId, fsType: 'ext4' },
      nodeAffinity: zone
        ? {
            required: {
              nodeSelectorTerms: [
                {
                  matchExpressions: [
                    { key: 'topology.kubernetes.io/zone', operator: 'In', values: [zone] },
                  ],
                },
              ],
            },
          }
        : undefined,
    },
  });
  claim(scope, name, '', STATIC_VOLUME_NOMINAL_SIZE, name);
}

/**
 * A one-replica busybox Deployment that mounts the claims and appends a line per start to
 * `boots.log` on the first one, so a restart shows the data survived. Recreate, because a
 * ReadWriteOnce volume cannot be attached to the old and the new pod on two nodes at once.
 */
function volumeDemo(
  scope: Construct,
  name: string,
  claims: ReadonlyArray<{ readonly name: string; readonly path: string }>,
): kplus.Deployment {
  const labels = appLabels(name, 'storage');
  const uid = 65534; // nobody
  const workload = new kplus.Deployment(scope, name, {
    metadata: { name, namespace: Namespaces.STORAGE_DEMO, labels },
    podMetadata: { labels },
    select: false,
    replicas: 1,
    strategy: kplus.DeploymentStrategy.recreate(),
    // fsGroup makes the EBS volume's root directory group-writable for the non-root user.
    securityContext: {
      ensureNonRoot: true,
      user: uid,
      group: uid,
      fsGroup: uid,
      fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
    },
  });
  workload.select(kplus.LabelSelector.of({ labels: { app: name } }));
  const first = claims[0].path;
  workload.addContainer({
    name: 'busybox',
    image: BUSYBOX_IMAGE,
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    command: ['sh', '-c'],
    args: [
      `echo "started $(date -u +%FT%TZ) on $(hostname)" >> ${first}/boots.log; ` +
        `trap 'exit 0' TERM; while :; do sleep 5 & wait $!; done`,
    ],
    resources: {
      cpu: { request: kplus.Cpu.millis(10), limit: kplus.Cpu.millis(50) },
      memory: { request: Size.mebibytes(16), limit: Size.mebibytes(32) },
    },
    securityContext: restrictedContainer(uid, uid),
    readiness: kplus.Probe.fromCommand(['test', '-s', `${first}/boots.log`], {
      periodSeconds: Duration.seconds(10),
    }),
    // Fails if the volume went read-only (e.g. after an EBS I/O error).
    liveness: kplus.Probe.fromCommand(['touch', `${first}/.alive`], {
      periodSeconds: Duration.seconds(30),
    }),
    volumeMounts: claims.map((c) => ({
      path: c.path,
      volume: kplus.Volume.fromPersistentVolumeClaim(
        workload,
        `${c.name}-volume`,
        kplus.PersistentVolumeClaim.fromClaimName(workload, `${c.name}-claim`, c.name),
        { name: c.name },
      ),
    })),
  });
  // Its data is on the claims; the node keeps only its logs.
  limitEphemeralStorage(workload);
  return workload;
}
