/**
 * Which claim and volume each bitcoind pod runs on, to compare before and after its pods moved:
 * a pod that comes back on another claim, or on its claim bound to another volume, has lost its
 * chain data even when everything else says Ready.
 */
import { CHILD_SELECTOR } from '../../controller/api';
import { adminApiOf } from '../testplane/lib/admin-api';
import type { Check } from './report';

interface Pod {
  metadata: { name: string; namespace: string };
  spec: { volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[] };
}
interface Claim {
  metadata: { name: string; namespace: string; uid: string };
  spec: { volumeName?: string };
}
interface Volume {
  metadata: { name: string };
  spec: { csi?: { volumeHandle: string } };
}

/** `namespace/pod` -> its claims as `claim uid -> PV (volume id)`, sorted. */
export type VolumeSnapshot = ReadonlyMap<string, string>;

export async function volumeSnapshot(kubeconfig: string): Promise<VolumeSnapshot> {
  const api = adminApiOf(kubeconfig);
  const [pods, claims, volumes] = await Promise.all([
    api.get<{ items: Pod[] }>(`/api/v1/pods?labelSelector=${encodeURIComponent(CHILD_SELECTOR)}`),
    api.get<{ items: Claim[] }>('/api/v1/persistentvolumeclaims'),
    api.get<{ items: Volume[] }>('/api/v1/persistentvolumes'),
  ]);
  const claimOf = new Map(
    claims.items.map((c) => [`${c.metadata.namespace}/${c.metadata.name}`, c]),
  );
  const volumeOf = new Map(volumes.items.map((v) => [v.metadata.name, v]));
  const snapshot = new Map<string, string>();
  for (const pod of pods.items) {
    const mounts = (pod.spec.volumes ?? [])
      .filter((v) => v.persistentVolumeClaim)
      .map((v) => {
        const claim = claimOf.get(
          `${pod.metadata.namespace}/${v.persistentVolumeClaim!.claimName}`,
        );
        if (!claim) return `${v.persistentVolumeClaim!.claimName} (no claim)`;
        const pv = claim.spec.volumeName;
        const handle = pv ? volumeOf.get(pv)?.spec.csi?.volumeHandle : undefined;
        return `${claim.metadata.name} ${claim.metadata.uid} -> ${pv ?? 'unbound'} (${handle ?? 'no volume'})`;
      })
      .sort();
    if (mounts.length > 0)
      snapshot.set(`${pod.metadata.namespace}/${pod.metadata.name}`, mounts.join(', '));
  }
  return snapshot;
}

/** Every pod of `before` is there again on exactly the claims and volumes it had. */
export function volumesKept(before: VolumeSnapshot, after: VolumeSnapshot): Check {
  const name = 'every bitcoind pod back on its own claim and volume';
  // The sample network of cdk.json has no storage; the suite adds one that has.
  if (before.size === 0) return { name, ok: true, detail: 'no bitcoind pod has a volume' };
  const lost = [...before].flatMap(([pod, mounts]) => {
    const now = after.get(pod);
    return now === mounts ? [] : [`${pod} had ${mounts}, now ${now ?? 'no pod'}`];
  });
  return lost.length === 0
    ? { name, ok: true, detail: `${before.size} pods` }
    : { name, ok: false, detail: lost.join('; ') };
}
