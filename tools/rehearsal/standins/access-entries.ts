/**
 * EKS's access entries, as far as they decide whether a deploy succeeds: a cluster holds at most
 * one entry per principal, so creating a second one fails, whichever logical ID asks. A new
 * cluster already holds one for whoever created it (CloudFormation's role) while
 * `BootstrapClusterCreatorAdminPermissions` is left at its default, true, as our stack leaves it.
 * @see https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAccessEntry.html
 */
import { STAND_IN_ENV } from '../intrinsics';

/** EKS's answer to a second entry for a principal (HTTP 409). */
export const ENTRY_IN_USE =
  'ResourceInUseException: The specified access entry resource is already in use on this cluster.';

/** CloudFormation's role as `cdk bootstrap` makes it: the creator of the cluster. */
export const CLUSTER_CREATOR = `arn:aws:iam::${STAND_IN_ENV.account}:role/cdk-hnb659fds-cfn-exec-role-${STAND_IN_ENV.account}-${STAND_IN_ENV.region}`;

/** Who made an entry: a logical ID of the stack, or EKS itself for the cluster's creator. */
const EKS_ITSELF = 'EKS';

export class AccessEntries {
  /** By cluster, each principal's entry and who made it. */
  private readonly entries = new Map<string, Map<string, string>>();

  /** A new cluster, holding its creator's entry. */
  createCluster(cluster: string): void {
    this.entries.set(cluster, new Map([[CLUSTER_CREATOR, EKS_ITSELF]]));
  }

  /** The cluster goes, and its entries with it. */
  deleteCluster(cluster: string): void {
    this.entries.delete(cluster);
  }

  /** CreateAccessEntry by `logicalId`: EKS's error if the principal has an entry already. */
  create(cluster: string, principal: string, logicalId: string): string | undefined {
    const held = this.held(cluster);
    if (held.has(principal)) return `${principal}: ${ENTRY_IN_USE}`;
    held.set(principal, logicalId);
    return undefined;
  }

  /**
   * DeleteAccessEntry by `logicalId`, which deletes only the entry it made: the rollback's Delete
   * of a Create that failed has no entry to delete.
   */
  delete(cluster: string, principal: string, logicalId: string): void {
    const held = this.held(cluster);
    if (held.get(principal) === logicalId) held.delete(principal);
  }

  /** The principals holding an entry on the cluster. */
  principals(cluster: string): string[] {
    return [...this.held(cluster).keys()];
  }

  private held(cluster: string): Map<string, string> {
    let held = this.entries.get(cluster);
    if (!held) {
      // A cluster the rehearsal did not create (a test's template without one): no creator entry.
      held = new Map();
      this.entries.set(cluster, held);
    }
    return held;
  }
}
