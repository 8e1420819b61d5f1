/**
 * What deleting the AWS::EKS::Cluster takes with it. On EKS every object still in the cluster
 * goes with it (a CRD that `helm uninstall` keeps, say), so those are no leftovers, only listed.
 * What outlives the cluster is: EBS volumes, load balancers, and the objects that hold them (a
 * PersistentVolume on such a volume and its claim, a Service or Ingress a load balancer serves).
 */
import { adminApiOf } from '../testplane/lib/admin-api';
import { describeKey, ObjectKey } from './cluster-objects';

/** An AWS resource that exists after destroy, and the objects in the cluster that hold it. */
export interface OutlivingResource {
  /** One line: `EBS volume vol-…`, `network load balancer ….elb.amazonaws.com`. */
  readonly description: string;
  /** As cluster-objects describes them. */
  readonly heldBy: readonly string[];
}

export interface ClusterRemains {
  /** The objects in the cluster after destroy that were not there before nor EKS's seed. */
  readonly objects: readonly ObjectKey[];
  readonly outliving: readonly OutlivingResource[];
  /** Whether destroy ran the cluster's Delete; if not, everything is a leftover. */
  readonly clusterDeleted: boolean;
}

export interface AfterDestroy {
  readonly wentWithCluster: string[];
  readonly leftovers: string[];
}

export function afterClusterDeletion({
  objects,
  outliving,
  clusterDeleted,
}: ClusterRemains): AfterDestroy {
  const holders = new Set(outliving.flatMap((r) => r.heldBy));
  const described = objects.map(describeKey);
  const stays = (object: string) => !clusterDeleted || holders.has(object);
  return {
    wentWithCluster: described.filter((object) => !stays(object)),
    leftovers: [
      ...outliving.map(
        (r) => r.description + (r.heldBy.length > 0 ? ` (held by ${r.heldBy.join(', ')})` : ''),
      ),
      ...described.filter(stays),
    ],
  };
}

interface Volume {
  metadata: { name: string };
  spec: { csi?: { volumeHandle?: string }; claimRef?: { name: string; namespace: string } };
}

/** Each EBS volume with the PersistentVolume on it and that volume's claim, as they exist now. */
export async function ebsVolumeHolders(
  kubeconfig: string,
  volumeIds: readonly string[],
): Promise<OutlivingResource[]> {
  if (volumeIds.length === 0) return [];
  const { items } = await adminApiOf(kubeconfig).get<{ items: Volume[] }>(
    '/api/v1/persistentvolumes',
  );
  return volumeIds.map((id) => ({
    description: `EBS volume ${id}`,
    heldBy: items
      .filter((pv) => pv.spec.csi?.volumeHandle === id)
      .flatMap((pv) => [
        `PersistentVolume ${pv.metadata.name}`,
        ...(pv.spec.claimRef
          ? [`PersistentVolumeClaim ${pv.spec.claimRef.namespace}/${pv.spec.claimRef.name}`]
          : []),
      ]),
  }));
}

/** A load balancer's members (`Service ns/name`, `Ingress ns/name`) as cluster-objects names them. */
export function loadBalancerHolders(members: readonly string[]): string[] {
  return members.map((m) => m.replace(/^Ingress /, 'networking.k8s.io/Ingress '));
}
