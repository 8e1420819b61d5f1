import { createHash } from 'crypto';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { CONFIG_SCHEMA, ConfigError } from '../config';
import type { DeployedStack, DeployedTemplate } from './deployed-stack';
import { Kept, keptAcrossDeploys } from './kept-across-deploys';

/** The logical IDs of deployed admin access entries, by principal ARN. */
export type AdminEntryIds = Readonly<Record<string, string>>;

/** What CloudFormation accepts as a logical ID. */
const LOGICAL_ID = /^[A-Za-z0-9]{1,255}$/;

/**
 * The context key of the admin entries' deployed logical IDs in one account and region, next to
 * the recorded admins' key (see `recordedAdminsKey`).
 */
export function adminEntryIdsKey(account: string, region: string): string {
  return `eks-bitcoin-platform:cluster-admin-entry-ids:account=${account}:region=${region}`;
}

/**
 * The logical IDs the admin entries keep, by principal: those recorded under `key`; while nothing
 * is, the ones the deployed stack has (then recorded); a principal not named gets `adminEntryId`.
 * An entry that moved to another logical ID would be created before the old one is deleted, and
 * EKS refuses a second entry for the same principal.
 */
export function keptAdminEntryIds(
  key: string,
  recorded: unknown,
  deployed: DeployedStack | undefined,
): Kept<AdminEntryIds> {
  return keptAcrossDeploys({
    recorded,
    read: (value) => readRecorded(key, value),
    deployed,
    of: adminEntryIdsOf,
    empty: {},
    whenUnknown: (reason) => ({
      value: {},
      warning: `Admin access entries get new logical IDs: CloudFormation did not say which ones the deployed stack has (${reason}). A stack deployed before commit 1edf955 (admins as Admin0, Admin1, ...) then fails the deploy on its admin entries and rolls back; synthesise again once CloudFormation answers.`,
    }),
  });
}

/**
 * The logical ID of each access entry of `template` that names its principal by ARN. The kubectl
 * provider's role is a reference there, not an ARN, so it is left out.
 */
export function adminEntryIdsOf(template: DeployedTemplate): AdminEntryIds {
  const entryIds: Record<string, string> = {};
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    const arn = resource.Properties?.PrincipalArn;
    if (resource.Type === 'AWS::EKS::AccessEntry' && typeof arn === 'string') entryIds[arn] = id;
  }
  return entryIds;
}

function readRecorded(key: string, recorded: unknown): AdminEntryIds {
  const allowed = 'an object of IAM principal ARNs to CloudFormation logical IDs';
  if (typeof recorded !== 'object' || recorded === null || Array.isArray(recorded))
    throw new ConfigError(key, recorded, allowed);
  const entries = Object.entries(recorded as Record<string, unknown>);
  const valid =
    isPrincipalList(entries.map(([arn]) => arn)) &&
    entries.every(([, id]) => typeof id === 'string' && LOGICAL_ID.test(id));
  if (!valid) throw new ConfigError(key, recorded, allowed);
  return recorded as AdminEntryIds;
}

/** Whether every ARN passes adminPrincipalArns' own rule. */
function isPrincipalList(arns: string[]): boolean {
  try {
    CONFIG_SCHEMA.infra.adminPrincipalArns.type.read('', arns, {});
    return true;
  } catch {
    return false;
  }
}

/** Grants `principalArn` cluster admin, in the entry of logical ID `keptId` if one is given. */
export function grantAdmin(cluster: eks.Cluster, principalArn: string, keptId?: string): void {
  const entry = cluster.grantClusterAdmin(adminEntryId(principalArn), principalArn);
  if (keptId) (entry.node.defaultChild as eks.CfnAccessEntry).overrideLogicalId(keptId);
}

/**
 * The construct ID of a principal's admin access entry: its name for the reader and a hash of
 * its ARN for uniqueness. Derived from the principal, not its place in the list, so adding,
 * removing or reordering admins never moves an entry to another logical ID.
 */
function adminEntryId(principalArn: string): string {
  const name = principalArn.slice(principalArn.lastIndexOf('/') + 1);
  const hash = createHash('sha256').update(principalArn).digest('hex').slice(0, 8);
  return `Admin${name}${hash}`;
}
