/**
 * Nothing is lost on the way: every PersistentVolumeClaim, PersistentVolume and BitcoinNetwork
 * that both templates keep must be the same object after an update (same uid, a volume on the
 * same EBS volume). A claim a StatefulSet made from its volumeClaimTemplates is kept when its
 * StatefulSet or that StatefulSet's BitcoinNetwork is; a dynamically provisioned volume when its
 * claim is. Only what the chart dropped may go, and the check lists it; a claim that a kept
 * workload mounted and now mounts under another name was not dropped but replaced, and its data
 * is lost unless the new claim is on the same EBS volume.
 */
import { API_VERSION, KIND, PLURAL } from '../../controller/api';
import { adminApiOf, apiRoot } from '../testplane/lib/admin-api';
import { describeKey, keyOf } from './cluster-objects';
import type { Check } from './report';

interface Meta {
  name: string;
  namespace?: string;
  uid: string;
  ownerReferences?: { kind: string; name: string; controller?: boolean }[];
}
interface Listed {
  apiVersion: string;
  kind: string;
  metadata: Meta;
}
interface Claim extends Listed {
  spec?: { volumeName?: string };
}
interface Volume extends Listed {
  spec?: {
    csi?: { volumeHandle?: string };
    awsElasticBlockStore?: { volumeID?: string };
    claimRef?: { name: string; namespace: string };
  };
}
interface StatefulSet extends Listed {
  spec?: { volumeClaimTemplates?: { metadata?: { name?: string } }[] };
}

/** The objects the check is about, as listed from the cluster. */
export interface StorageLists {
  readonly claims: readonly Claim[];
  readonly volumes: readonly Volume[];
  readonly networks: readonly Listed[];
  readonly statefulSets: readonly StatefulSet[];
}

export interface StoredObject {
  /** As cluster-objects describes it: `PersistentVolumeClaim ns/name`. */
  readonly key: string;
  readonly uid: string;
  /** The EBS volume of a PersistentVolume, or of a claim's bound volume. */
  readonly volumeId?: string;
  /** Itself, then what it goes with (its StatefulSet and BitcoinNetwork, or its claim's). */
  readonly keptWith: readonly string[];
}

export async function listStorage(kubeconfig: string): Promise<StorageLists> {
  const api = adminApiOf(kubeconfig);
  const [claims, volumes, statefulSets] = await Promise.all([
    api.items<Claim>({ kind: 'PersistentVolumeClaim', path: '/api/v1/persistentvolumeclaims' }),
    api.items<Volume>({ kind: 'PersistentVolume', path: '/api/v1/persistentvolumes' }),
    api.items<StatefulSet>({ kind: 'StatefulSet', path: '/apis/apps/v1/statefulsets' }),
  ]);
  // No CRD, no BitcoinNetwork.
  const networks = await api
    .items<Listed>({ kind: KIND, path: `${apiRoot(API_VERSION)}/${PLURAL}` })
    .catch((err: Error) => {
      if (/: 404 /.test(err.message)) return [];
      throw err;
    });
  return { claims, volumes, networks, statefulSets };
}

/** `text` as a regular expression that matches only itself. */
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function storedObjects(lists: StorageLists): StoredObject[] {
  const key = (o: Listed) => describeKey(keyOf(o));
  const ownersOfClaim = (claim: Claim): string[] => {
    const namespace = claim.metadata.namespace;
    // The StatefulSet controller names each claim <template>-<statefulset>-<ordinal>.
    const sts = lists.statefulSets.find(
      (s) =>
        s.metadata.namespace === namespace &&
        (s.spec?.volumeClaimTemplates ?? []).some((t) =>
          new RegExp(`^${escape(`${t.metadata?.name}-${s.metadata.name}`)}-\\d+$`).test(
            claim.metadata.name,
          ),
        ),
    );
    if (!sts) return [];
    const network = sts.metadata.ownerReferences?.find(
      (r) => r.controller && r.kind === 'BitcoinNetwork',
    );
    const networkObject = network
      ? lists.networks.find(
          (n) => n.metadata.namespace === namespace && n.metadata.name === network.name,
        )
      : undefined;
    return [key(sts), ...(networkObject ? [key(networkObject)] : [])];
  };
  const volumeIdOf = (v?: Volume) =>
    v?.spec?.csi?.volumeHandle ?? v?.spec?.awsElasticBlockStore?.volumeID;
  const claims = lists.claims.map((c) => {
    const volumeId = volumeIdOf(lists.volumes.find((v) => v.metadata.name === c.spec?.volumeName));
    return {
      key: key(c),
      uid: c.metadata.uid,
      ...(volumeId ? { volumeId } : {}),
      keptWith: [key(c), ...ownersOfClaim(c)],
    };
  });
  const volumes = lists.volumes.map((v) => {
    const ref = v.spec?.claimRef;
    const claim = ref
      ? claims.find((c) => c.key === `PersistentVolumeClaim ${ref.namespace}/${ref.name}`)
      : undefined;
    const volumeId = volumeIdOf(v);
    return {
      key: key(v),
      uid: v.metadata.uid,
      ...(volumeId ? { volumeId } : {}),
      keptWith: [key(v), ...(claim?.keptWith ?? [])],
    };
  });
  const networks = lists.networks.map((n) => ({
    key: key(n),
    uid: n.metadata.uid,
    keptWith: [key(n)],
  }));
  return [...claims, ...volumes, ...networks];
}

interface PodSpecHolder extends Listed {
  spec?: {
    volumes?: PodVolume[];
    template?: { spec?: { volumes?: PodVolume[] } };
    jobTemplate?: { spec?: { template?: { spec?: { volumes?: PodVolume[] } } } };
  };
}
interface PodVolume {
  persistentVolumeClaim?: { claimName: string };
}

/** What a template's kubectl manifests hold, keyed as {@link StoredObject.key}. */
export interface TemplateObjects {
  readonly keys: ReadonlySet<string>;
  /** Each claim a workload of the manifests mounts -> those workloads. */
  readonly mounts: ReadonlyMap<string, readonly string[]>;
}

/** The objects of kubectl manifests (JSON arrays) and the claims their workloads mount. */
export function templateObjects(manifests: readonly string[]): TemplateObjects {
  const objects = manifests.flatMap((text) => JSON.parse(text) as PodSpecHolder[]);
  const mounts = new Map<string, string[]>();
  for (const o of objects) {
    const spec = o.spec;
    const volumes =
      spec?.volumes ??
      spec?.template?.spec?.volumes ??
      spec?.jobTemplate?.spec?.template?.spec?.volumes;
    for (const v of volumes ?? []) {
      if (!v.persistentVolumeClaim) continue;
      const claim = `PersistentVolumeClaim ${o.metadata.namespace}/${v.persistentVolumeClaim.claimName}`;
      mounts.set(claim, [...(mounts.get(claim) ?? []), describeKey(keyOf(o))]);
    }
  }
  return { keys: new Set(objects.map((o) => describeKey(keyOf(o)))), mounts };
}

export interface KeptComparison {
  readonly before: readonly StoredObject[];
  readonly after: readonly StoredObject[];
  readonly earlier: TemplateObjects;
  readonly current: TemplateObjects;
}

export const NOTHING_LOST =
  'every claim, volume and BitcoinNetwork both templates keep has its uid';

export function nothingLost({ before, after, earlier, current }: KeptComparison): Check {
  const lost: string[] = [];
  const moved: string[] = [];
  const dropped: string[] = [];
  /** Claims a kept workload mounted and no longer does: not dropped, replaced. */
  const replaced = new Set<string>();
  const inBoth = (k: string) => earlier.keys.has(k) && current.keys.has(k);
  let kept = 0;
  for (const object of before) {
    const gone = !after.some((o) => o.key === object.key);
    if (object.keptWith.some(inBoth)) {
      kept++;
      const now = after.find((o) => o.key === object.key);
      if (!now) lost.push(`${object.key} deleted`);
      else if (now.uid !== object.uid)
        lost.push(`${object.key} recreated (uid ${object.uid} -> ${now.uid})`);
      else if (now.volumeId !== object.volumeId)
        lost.push(`${object.key} on another EBS volume (${object.volumeId} -> ${now.volumeId})`);
      continue;
    }
    if (!gone || !object.keptWith.some((k) => earlier.keys.has(k))) continue;
    if (object.keptWith.some((k) => replaced.has(k))) continue;
    const workloads = (earlier.mounts.get(object.key) ?? []).filter((w) => current.keys.has(w));
    if (workloads.length === 0) {
      dropped.push(object.key);
      continue;
    }
    replaced.add(object.key);
    // The claims those workloads mount now and did not before.
    const mountedByThem = (mounts: TemplateObjects['mounts'], claim: string) =>
      (mounts.get(claim) ?? []).some((w) => workloads.includes(w));
    const successors = [...current.mounts.keys()].filter(
      (claim) => mountedByThem(current.mounts, claim) && !mountedByThem(earlier.mounts, claim),
    );
    const sameVolume = after.find(
      (o) =>
        successors.includes(o.key) && o.volumeId !== undefined && o.volumeId === object.volumeId,
    );
    if (sameVolume) moved.push(`${object.key} -> ${sameVolume.key} (${object.volumeId})`);
    else
      lost.push(
        `${object.key} replaced under ${workloads.join(', ')} by ${successors.join(', ') || 'nothing'}: its data (${object.volumeId ?? 'no volume'}) is not there`,
      );
  }
  const detail = [
    ...(moved.length > 0
      ? [`moved to a new claim on the same EBS volume: ${moved.join(', ')}`]
      : []),
    `deleted on purpose (dropped by the chart): ${dropped.join(', ') || 'none'}`,
  ].join('; ');
  return lost.length === 0
    ? { name: NOTHING_LOST, ok: true, detail: `${kept} kept; ${detail}` }
    : { name: NOTHING_LOST, ok: false, detail: `${lost.join('; ')}; ${detail}` };
}
