/**
 * The part of the EBS CSI driver's controller that decides outcomes: its external-provisioner
 * creates a volume and PV for each claim the PV controller hands to `ebs.csi.aws.com` (for
 * WaitForFirstConsumer only once the scheduler picked a node), its external-resizer grows them,
 * and it deletes a Released volume whose reclaim policy is Delete. Once stopped (the add-on is
 * gone) nothing does, so a claim deleted after that leaves its PV Released and its volume behind.
 * @see https://github.com/kubernetes-csi/external-provisioner#readme
 * @see https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi.html
 */
import { randomBytes } from 'node:crypto';
import { AdminApi, Collection } from '../../testplane/lib/admin-api';
import { collectionChanges } from './collection-changes';
import { PollLoop, PollOptions } from './poll-loop';
import { quantityValue } from '../../../controller/api/quantity';
import { ebsSizeGiB } from './ebs-volume-size';

export const EBS_DRIVER = 'ebs.csi.aws.com';
// The annotations and finalizer the Kubernetes volume machinery uses between its components.
const STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
const SELECTED_NODE = 'volume.kubernetes.io/selected-node';
const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
const PROVISIONER_FINALIZER = 'external-provisioner.volume.kubernetes.io/finalizer';

/** An EC2 volume as the fake EC2 API of the rehearsal holds it. */
export interface FakeVolume {
  readonly id: string;
  sizeGiB: number;
  readonly pvName: string;
  readonly claim: { readonly namespace: string; readonly name: string };
  /** The tags the driver puts on every volume it creates, the cluster's among them. */
  readonly tags: Readonly<Record<string, string>>;
}

export interface EbsCsiDriverOptions extends PollOptions {
  /** Tags each volume `kubernetes.io/cluster/<name>: owned`, as --k8s-tag-cluster-id does. */
  readonly clusterName: string;
}

interface Meta {
  name: string;
  namespace?: string;
  uid: string;
  annotations?: Record<string, string>;
  finalizers?: string[];
}
interface StorageClass {
  kind: 'StorageClass';
  metadata: Meta;
  provisioner: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: string;
  volumeBindingMode?: string;
}
interface Claim {
  kind: 'PersistentVolumeClaim';
  metadata: Meta;
  spec: {
    storageClassName?: string;
    volumeName?: string;
    accessModes: string[];
    volumeMode?: string;
    resources: { requests: { storage: string } };
  };
  status?: { phase?: string; capacity?: { storage?: string } };
}
interface Volume {
  kind: 'PersistentVolume';
  metadata: Meta;
  spec: {
    csi?: { driver: string; volumeHandle: string };
    persistentVolumeReclaimPolicy?: string;
    capacity: { storage: string };
  };
  status?: { phase?: string };
}
type Item = StorageClass | Claim | Volume;

const WATCHED: readonly Collection[] = [
  { kind: 'StorageClass', path: '/apis/storage.k8s.io/v1/storageclasses' },
  { kind: 'PersistentVolumeClaim', path: '/api/v1/persistentvolumeclaims' },
  { kind: 'PersistentVolume', path: '/api/v1/persistentvolumes' },
];
const pvPath = (name: string) => `/api/v1/persistentvolumes/${name}`;

export class EbsCsiDriverStandIn {
  private readonly ec2 = new Map<string, FakeVolume>();
  private readonly loop: PollLoop;
  private readonly api: AdminApi;
  private extraVolumeTags: Readonly<Record<string, string>> = {};

  constructor(
    kubeconfig: string,
    private readonly options: EbsCsiDriverOptions,
  ) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(options.clusterName)) {
      throw new Error(
        `clusterName must be an EKS cluster name (letters, digits, - and _), got "${options.clusterName}"`,
      );
    }
    this.api = new AdminApi(kubeconfig);
    this.loop = new PollLoop(
      'EBS CSI driver stand-in',
      () => this.reconcile(),
      options,
      collectionChanges(this.api, WATCHED),
    );
  }

  /** The EBS volumes that exist, whether or not a PV still points at them. */
  volumes(): FakeVolume[] {
    return [...this.ec2.values()].map((v) => ({ ...v }));
  }

  /** Starts provisioning, tagging each new volume with `extraVolumeTags` too, as the add-on asks. */
  start(extraVolumeTags: Readonly<Record<string, string>> = {}): void {
    this.extraVolumeTags = extraVolumeTags;
    this.loop.start();
  }

  /** Stops reconciling; the volumes stay, as EBS volumes do when the driver goes away. */
  async stop(): Promise<void> {
    await this.loop.stop();
  }

  private async reconcile(): Promise<void> {
    const items = await this.api.listAll<Item>(WATCHED);
    const classes = new Map(
      items
        .filter((i): i is StorageClass => i.kind === 'StorageClass')
        .map((c) => [c.metadata.name, c]),
    );
    const claims = items.filter((i): i is Claim => i.kind === 'PersistentVolumeClaim');
    const ours = items.filter(
      (i): i is Volume => i.kind === 'PersistentVolume' && i.spec.csi?.driver === EBS_DRIVER,
    );
    const pvNames = new Set(ours.map((pv) => pv.metadata.name));
    for (const claim of claims) {
      const storageClass = classes.get(claim.spec.storageClassName ?? '');
      if (
        !claim.spec.volumeName &&
        this.wantsVolume(claim, storageClass) &&
        !pvNames.has(pvNameOf(claim))
      ) {
        await this.provision(claim, storageClass!);
      }
      if (claim.status?.phase === 'Bound') await this.resizeIfAsked(claim);
    }
    for (const pv of ours) {
      if (pv.status?.phase === 'Released' && pv.spec.persistentVolumeReclaimPolicy === 'Delete') {
        await this.deleteVolume(pv);
      }
    }
  }

  /** Handed to us by the PV controller, and for WaitForFirstConsumer a node was picked. */
  private wantsVolume(claim: Claim, storageClass: StorageClass | undefined): boolean {
    const annotations = claim.metadata.annotations ?? {};
    if (annotations[STORAGE_PROVISIONER] !== EBS_DRIVER || !storageClass) return false;
    return (
      storageClass.volumeBindingMode !== 'WaitForFirstConsumer' || SELECTED_NODE in annotations
    );
  }

  private async provision(claim: Claim, storageClass: StorageClass): Promise<void> {
    const sizeGiB = ebsSizeGiB(claim.spec.resources.requests.storage);
    const namespace = claim.metadata.namespace ?? 'default';
    const pvName = pvNameOf(claim);
    const volume: FakeVolume = {
      id: `vol-${randomBytes(9).toString('hex').slice(0, 17)}`,
      sizeGiB,
      pvName,
      claim: { namespace, name: claim.metadata.name },
      tags: {
        ...this.extraVolumeTags,
        CSIVolumeName: pvName,
        'ebs.csi.aws.com/cluster': 'true',
        [`kubernetes.io/cluster/${this.options.clusterName}`]: 'owned',
        KubernetesCluster: this.options.clusterName,
        'kubernetes.io/created-for/pvc/name': claim.metadata.name,
        'kubernetes.io/created-for/pvc/namespace': namespace,
        'kubernetes.io/created-for/pv/name': pvName,
      },
    };
    this.ec2.set(volume.id, volume);
    const pv = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: {
        name: pvName,
        annotations: { [PROVISIONED_BY]: EBS_DRIVER },
        finalizers: [PROVISIONER_FINALIZER],
      },
      spec: {
        capacity: { storage: `${sizeGiB}Gi` },
        accessModes: claim.spec.accessModes,
        volumeMode: claim.spec.volumeMode ?? 'Filesystem',
        storageClassName: storageClass.metadata.name,
        persistentVolumeReclaimPolicy: storageClass.reclaimPolicy ?? 'Delete',
        claimRef: {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          namespace,
          name: claim.metadata.name,
          uid: claim.metadata.uid,
        },
        csi: {
          driver: EBS_DRIVER,
          volumeHandle: volume.id,
          fsType: storageClass.parameters?.['csi.storage.k8s.io/fstype'] ?? 'ext4',
        },
      },
    };
    await this.api.write('POST', '/api/v1/persistentvolumes', pv);
  }

  /** ControllerExpandVolume, then what the kubelet would finish: the claim's new capacity. */
  private async resizeIfAsked(claim: Claim): Promise<void> {
    const requested = claim.spec.resources.requests.storage;
    const current = claim.status?.capacity?.storage;
    if (
      !current ||
      !claim.spec.volumeName ||
      quantityValue(requested)! <= quantityValue(current)!
    ) {
      return;
    }
    const sizeGiB = ebsSizeGiB(requested);
    const volume = [...this.ec2.values()].find((v) => v.pvName === claim.spec.volumeName);
    if (!volume) return;
    volume.sizeGiB = sizeGiB;
    const capacity = { storage: `${sizeGiB}Gi` };
    await this.api.patch(pvPath(volume.pvName), { spec: { capacity } });
    const { namespace, name } = volume.claim;
    await this.api.patch(`/api/v1/namespaces/${namespace}/persistentvolumeclaims/${name}/status`, {
      status: { capacity },
    });
  }

  private async deleteVolume(pv: Volume): Promise<void> {
    this.ec2.delete(pv.spec.csi!.volumeHandle);
    const finalizers = (pv.metadata.finalizers ?? []).filter((f) => f !== PROVISIONER_FINALIZER);
    await this.api.patch(pvPath(pv.metadata.name), { metadata: { finalizers } });
    await this.api.write('DELETE', pvPath(pv.metadata.name), undefined, { missingOk: true });
  }
}

/** The external-provisioner names a claim's PV after the claim's uid. */
const pvNameOf = (claim: Claim): string => `pvc-${claim.metadata.uid}`;
