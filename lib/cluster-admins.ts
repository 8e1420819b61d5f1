import { CONFIG_SCHEMA } from '../config';
import type { Deployer } from './deployer';

/** Where CDK keeps its look-ups, and so ours: a file meant to be committed with the project. */
export const CONTEXT_FILE = 'cdk.context.json';

/**
 * The context key of the cluster admins recorded for the stack in one account and region, named
 * the way CDK names its own look-ups (`availability-zones:account=…:region=…`). The stack's name
 * is fixed, so an account and a region name one stack.
 */
export function recordedAdminsKey(account: string, region: string): string {
  return `eks-bitcoin-platform:cluster-admins:account=${account}:region=${region}`;
}

export interface ClusterAdminsInput {
  /** The key for the account and region deployed to. */
  readonly key: string;
  /** The key's value in the context (cdk.context.json), if any. */
  readonly recorded: unknown;
  /** Who runs this synth, if AWS said so. */
  readonly deployer?: Deployer;
  readonly adminPrincipalArns: readonly string[];
}

export interface ClusterAdmins {
  /** The recorded admins, granted cluster admin on every deploy, whoever deploys. */
  readonly recorded: readonly string[];
  /** What this synth must record under the key: set only when nothing was recorded yet. */
  readonly record?: readonly string[];
  /** One line for a deployer who is not an admin, on how to become one. */
  readonly warning?: string;
}

/**
 * Who gets cluster admin besides `adminPrincipalArns`: the admins recorded for this account and
 * region, and nobody else. The first deployer is recorded; a later deployer is not, so an
 * admin's access never depends on who deployed last. A later deployer who is no admin is told
 * how to become one: through `adminPrincipalArns` in cdk.json, which every deploy reads.
 */
export function clusterAdmins({
  key,
  recorded,
  deployer,
  adminPrincipalArns,
}: ClusterAdminsInput): ClusterAdmins {
  if (recorded === undefined) {
    const record = deployer ? [deployer.principalArn] : undefined;
    return { recorded: record ?? [], record };
  }
  // The same kind of value as adminPrincipalArns, with the same rule and one-line error.
  const admins = CONFIG_SCHEMA.infra.adminPrincipalArns.type.read(key, recorded, {});
  const caller = deployer?.principalArn;
  if (!caller || admins.includes(caller) || adminPrincipalArns.includes(caller)) {
    return { recorded: admins };
  }
  return {
    recorded: admins,
    warning:
      `${caller} is not a cluster admin: only ${admins.join(', ')} (recorded in ${CONTEXT_FILE}) and adminPrincipalArns are. ` +
      `To become one, add ${caller} to adminPrincipalArns in cdk.json, commit it and deploy again.`,
  };
}
