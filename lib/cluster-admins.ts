import { CONFIG_SCHEMA } from '../config';
import { adminEntryIdsOf } from './admin-entries';
import type { DeployedStack } from './deployed-stack';
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
  /**
   * Who runs this synth, if AWS said so.
   * @default - unknown (offline, or AWS would not say): nothing new is recorded, nobody warned
   */
  readonly deployer?: Deployer;
  /**
   * What the deployed stack says of its admins; asked only while nothing is recorded.
   * @default - not asked: taken as a stack without admins, so the deployer is recorded
   */
  readonly deployed?: DeployedStack;
  /**
   * The configured `adminPrincipalArns`: cluster admins on every deploy, whatever is recorded.
   * @see https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html
   */
  readonly adminPrincipalArns: readonly string[];
}

export interface ClusterAdmins {
  /** The recorded admins, granted cluster admin on every deploy, whoever deploys. */
  readonly recorded: readonly string[];
  /**
   * What this synth must record under the key.
   * @default - nothing to record: the key has a value already, or the deployer is unknown
   */
  readonly record?: readonly string[];
  /**
   * One line for a deployer who is not an admin, on how to become one, or on what to check.
   * @default - no warning: the deployer is an admin, or unknown
   */
  readonly warning?: string;
}

/**
 * Who gets cluster admin besides `adminPrincipalArns`: the admins recorded for this account and
 * region, and nobody else. When nothing is recorded yet, the admins the deployed stack grants
 * (besides `adminPrincipalArns`) are recorded, or, for a new stack, the deployer. A later
 * deployer is not recorded, so an admin's access never depends on who deployed last; one who is
 * no admin is told how to become one: through `adminPrincipalArns` in cdk.json, which every
 * deploy reads.
 */
export function clusterAdmins({
  key,
  recorded,
  deployer,
  deployed,
  adminPrincipalArns,
}: ClusterAdminsInput): ClusterAdmins {
  if (recorded === undefined) return firstRecord(deployer, deployed, adminPrincipalArns);
  // The same kind of value as adminPrincipalArns, with the same rule and one-line error.
  const admins = CONFIG_SCHEMA.infra.adminPrincipalArns.type.read(key, recorded, {});
  return { recorded: admins, warning: notAdminWarning(admins, deployer, adminPrincipalArns) };
}

/** What to record while nothing is: the deployed stack's admins, else the deployer. */
function firstRecord(
  deployer: Deployer | undefined,
  deployed: DeployedStack | undefined,
  adminPrincipalArns: readonly string[],
): ClusterAdmins {
  if (!deployer) return { recorded: [] };
  const inherited =
    deployed && 'template' in deployed
      ? Object.keys(adminEntryIdsOf(deployed.template)).filter(
          (arn) => !adminPrincipalArns.includes(arn),
        )
      : [];
  const record = inherited.length > 0 ? inherited : [deployer.principalArn];
  const warning =
    deployed && 'unknown' in deployed
      ? `Recording ${deployer.principalArn} as the first deployer in ${CONTEXT_FILE}: CloudFormation did not say who the admins of a deployed stack are (${deployed.unknown}). If the stack was deployed before, add its earlier admins to adminPrincipalArns.`
      : notAdminWarning(record, deployer, adminPrincipalArns);
  return { recorded: record, record, warning };
}

function notAdminWarning(
  admins: readonly string[],
  deployer: Deployer | undefined,
  adminPrincipalArns: readonly string[],
): string | undefined {
  const caller = deployer?.principalArn;
  if (!caller || admins.includes(caller) || adminPrincipalArns.includes(caller)) return undefined;
  return (
    `${caller} is not a cluster admin: only ${admins.join(', ')} (recorded in ${CONTEXT_FILE}) and adminPrincipalArns are. ` +
    `To become one, add ${caller} to adminPrincipalArns in cdk.json, commit it and deploy again.`
  );
}
