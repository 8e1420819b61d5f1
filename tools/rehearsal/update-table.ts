/**
 * The config changes a second `cdk deploy` is rehearsed with, one deployment each, in order;
 * each starts from the config the one before left, the first from UPDATE_TABLE_START on top of
 * the rehearsal's own. `undefined` removes the key (back to default).
 */
import {
  DEFAULT_KUBERNETES_MINOR,
  SUPPORTED_KUBERNETES_MINORS,
} from '../../config/kubernetes-minors';
import { standInZone } from './node-group-updates';

export interface ConfigChange {
  readonly label: string;
  readonly set: Readonly<Record<string, string | undefined>>;
}

/** The supported minor before the default: the upgrade the table begins with starts there. */
const PREVIOUS_MINOR =
  SUPPORTED_KUBERNETES_MINORS[SUPPORTED_KUBERNETES_MINORS.indexOf(DEFAULT_KUBERNETES_MINOR) - 1];

/** The config the table's stack is created with: a cluster one minor behind the default. */
export const UPDATE_TABLE_START: Readonly<Record<string, string>> = PREVIOUS_MINOR
  ? { kubernetesVersion: PREVIOUS_MINOR }
  : {};

/** The upgrade to the default minor, when there is a supported minor before it. */
const MINOR_UPGRADE: readonly ConfigChange[] = PREVIOUS_MINOR
  ? [
      {
        label: `kubernetesVersion ${PREVIOUS_MINOR} -> ${DEFAULT_KUBERNETES_MINOR}`,
        set: { kubernetesVersion: DEFAULT_KUBERNETES_MINOR },
      },
    ]
  : [];

/**
 * The changes of config on one minor: after an upgrade from an earlier version (which already
 * lands on the default minor) only these run.
 */
export const CONFIG_CHANGES: readonly ConfigChange[] = [
  { label: 'webReplicas 2 -> 3', set: { webReplicas: '3' } },
  { label: 'sampleNetworkNodes 3 -> 5', set: { sampleNetworkNodes: '5' } },
  { label: 'throughputVolume none -> st1', set: { throughputVolume: 'st1' } },
  { label: 'throughputVolume st1 -> cold', set: { throughputVolume: 'cold' } },
  { label: 'throughputVolume cold -> none', set: { throughputVolume: 'none' } },
  { label: 'demoVolumeSize 4Gi -> 8Gi', set: { demoVolumeSize: '8Gi' } },
  { label: 'alpineLoadBalancer false -> true', set: { alpineLoadBalancer: 'true' } },
  { label: 'alpineLoadBalancer true -> false', set: { alpineLoadBalancer: 'false' } },
  {
    label: 'staticVolumeId set',
    set: { staticVolumeId: 'vol-0123456789abcdef0', staticVolumeZone: standInZone(0) },
  },
  {
    label: 'staticVolumeId replaced',
    set: { staticVolumeId: 'vol-0fedcba9876543210', staticVolumeZone: standInZone(1) },
  },
  {
    label: 'staticVolumeId unset',
    set: { staticVolumeId: undefined, staticVolumeZone: undefined },
  },
  {
    label: 'adminPrincipalArns changed',
    set: { adminPrincipalArns: 'arn:aws:iam::111111111111:role/PlatformTeam' },
  },
];

// The upgrade first, so that every other change is rehearsed on the default minor.
export const UPDATE_TABLE: readonly ConfigChange[] = [...MINOR_UPGRADE, ...CONFIG_CHANGES];

/** `context` with `change` applied. */
export function applyChange(
  context: Readonly<Record<string, string>>,
  change: ConfigChange,
): Record<string, string> {
  const next: Record<string, string> = { ...context };
  for (const [key, value] of Object.entries(change.set)) {
    if (value === undefined) delete next[key];
    else next[key] = value;
  }
  return next;
}
