import { ConfigError, ThroughputVolume } from '../config';
import { Namespaces } from '../k8s/common';
import { type KeptClaimNames, throughputClaimName } from '../k8s/storage-chart';
import type { DeployedStack, DeployedTemplate } from './deployed-stack';
import { Kept, keptAcrossDeploys } from './kept-across-deploys';
import { manifestObjectsOf } from './template-manifests';

/** What Kubernetes accepts as a claim's name (a DNS subdomain). */
const CLAIM_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** The throughput claim's classes: the `throughputVolume` values that make one. */
const THROUGHPUT_CLASSES: readonly string[] = Object.values(ThroughputVolume).filter(
  (value) => value !== ThroughputVolume.NONE,
);

/**
 * The context key of the deployed claims' names in one account and region, next to the recorded
 * admins' key (see `recordedAdminsKey`).
 */
export function keptClaimNamesKey(account: string, region: string): string {
  return `eks-bitcoin-platform:kept-claim-names:account=${account}:region=${region}`;
}

/**
 * The names the storage chart's claims keep: those recorded under `key`; while nothing is, the
 * ones the deployed stack has (then recorded). A claim that an upgrade renamed would be deleted,
 * and its volume with it, and the pod would get a new, empty one: so with a throughput claim
 * configured, a synth that cannot learn the deployed names refuses, naming what to do.
 */
export function keptClaimNames(
  key: string,
  recorded: unknown,
  deployed: DeployedStack | undefined,
  throughputVolume: ThroughputVolume,
): Kept<KeptClaimNames> {
  return keptAcrossDeploys({
    recorded,
    read: (value) => readRecorded(key, value),
    deployed,
    of: claimNamesOf,
    empty: {},
    whenUnknown: (reason) => {
      // Without a throughput claim there is nothing to keep; the next synth asks again.
      if (throughputVolume === ThroughputVolume.NONE) return { value: {} };
      throw new ConfigError(
        key,
        recorded,
        `the deployed throughput claim's name, read from the deployed stack, but CloudFormation did not say (${reason}): give the deployer cloudformation:GetTemplate and synthesise again, or, if the stack was deployed after commit efc6a1b or without throughputVolume, record {} under that key in cdk.context.json`,
      );
    },
  });
}

/**
 * The deployed throughput claims whose name is not the one this version gives them (commits
 * before efc6a1b named the claim `throughput-data` whatever its class), by that name.
 */
export function claimNamesOf(template: DeployedTemplate): KeptClaimNames {
  const kept: Record<string, string> = {};
  for (const { kind, metadata, spec } of manifestObjectsOf(template) as KubernetesObject[]) {
    const storageClass = spec?.storageClassName;
    const isThroughputClaim =
      kind === 'PersistentVolumeClaim' &&
      metadata?.namespace === Namespaces.STORAGE_DEMO &&
      typeof storageClass === 'string' &&
      THROUGHPUT_CLASSES.includes(storageClass) &&
      // A claim bound to a named volume is the static one.
      !spec?.volumeName;
    if (!isThroughputClaim || !metadata?.name) continue;
    const name = throughputClaimName(storageClass);
    if (metadata.name !== name) kept[name] = metadata.name;
  }
  return kept;
}

interface KubernetesObject {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: { readonly storageClassName?: unknown; readonly volumeName?: unknown };
}

function readRecorded(key: string, recorded: unknown): KeptClaimNames {
  const valid =
    typeof recorded === 'object' &&
    recorded !== null &&
    !Array.isArray(recorded) &&
    Object.entries(recorded).every(
      ([name, kept]) => CLAIM_NAME.test(name) && typeof kept === 'string' && CLAIM_NAME.test(kept),
    );
  if (!valid) {
    throw new ConfigError(key, recorded, 'an object of claim names to the deployed claim names');
  }
  return recorded as KeptClaimNames;
}
