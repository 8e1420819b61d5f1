import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { withTimeout } from './private/with-timeout';

/** Who is running `cdk deploy`, as far as access entries are concerned. */
export interface Deployer {
  /** The account of the caller's credentials, as STS names it. */
  readonly account: string;
  /** The ARN of an IAM role or user, path included, that an access entry can name. */
  readonly principalArn: string;
}

/** The outcome of looking up the caller: who deploys, or why nobody gets an access entry. */
export type DeployerLookup =
  | {
      /** The caller, as an access entry can name it. */
      deployer: Deployer;
    }
  | {
      /** Why AWS could not say who is calling. */
      offline: string;
    }
  | {
      /** One line on why the caller gets no access entry, and what to do. */
      warning: string;
    };

/** The AWS APIs the look-up calls: STS for the caller, IAM for its role's full ARN. */
export interface DeployerClients {
  /** Asked who the caller is (`GetCallerIdentity`). */
  readonly sts: Pick<STSClient, 'send'>;
  /** Asked for the ARN, path included, of the caller's role (`GetRole`). */
  readonly iam: Pick<IAMClient, 'send'>;
}

export interface LookUpDeployerOptions {
  /**
   * ARNs granted cluster admin anyway: if IAM will not say a role's ARN, one of these may.
   * @default - none: a role IAM will not describe gets no access entry, and a warning
   */
  readonly adminPrincipalArns?: readonly string[];
  /**
   * How long each AWS call may take before the look-up gives up on it.
   * @default AWS_CALL_TIMEOUT_MS
   */
  readonly timeoutMs?: number;
}

/** Long enough for STS or IAM on a slow link, short enough that an offline synth does not stall. */
export const AWS_CALL_TIMEOUT_MS = 3000;

/**
 * Asks STS who the caller is and, for a role session, IAM for the role's ARN: the session's
 * ARN leaves out the role's path (`/aws-reserved/sso.amazonaws.com/` for IAM Identity Center),
 * and an access entry without it names no principal. Never throws: a failure becomes a
 * reason, so synth carries on without a deployer access entry rather than with one that fails.
 */
export async function lookUpDeployer(
  clients: DeployerClients,
  { adminPrincipalArns = [], timeoutMs = AWS_CALL_TIMEOUT_MS }: LookUpDeployerOptions = {},
): Promise<DeployerLookup> {
  let identity;
  try {
    identity = await withTimeout(clients.sts.send(new GetCallerIdentityCommand({})), timeoutMs);
  } catch (error) {
    return { offline: `could not ask AWS STS who is deploying (${(error as Error).message})` };
  }
  const account = identity.Account;
  const caller = parseCaller(identity.Arn ?? '');
  if (!account || !caller) {
    return {
      warning: `No access entry for the deployer: the caller ${identity.Arn} cannot be named in one; only adminPrincipalArns get cluster admin.`,
    };
  }
  const grant = (principalArn: string): DeployerLookup => ({ deployer: { account, principalArn } });
  if ('userArn' in caller) return grant(caller.userArn);

  const { partition, roleName } = caller;
  try {
    const { Role } = await withTimeout(
      clients.iam.send(new GetRoleCommand({ RoleName: roleName })),
      timeoutMs,
    );
    if (!Role?.Arn) throw new Error('the answer names no role');
    return grant(Role.Arn);
  } catch (error) {
    // Someone who followed the advice below has listed the role: nothing more to say. Role
    // names are unique in an account whatever their path, so the name is enough to match.
    const listed = adminPrincipalArns.find(
      (arn) =>
        arn.startsWith(`arn:${partition}:iam::${account}:role/`) && arn.endsWith(`/${roleName}`),
    );
    if (listed) return grant(listed);
    return {
      warning:
        `No access entry for the deployer: iam:GetRole could not read the ARN, path included, of its role ${roleName} ` +
        `(${(error as Error).message}). ` +
        `Pass it with -c adminPrincipalArns=arn:${partition}:iam::${account}:role/<path>/${roleName}; ` +
        `\`aws iam get-role --role-name ${roleName} --query Role.Arn\` prints it.`,
    };
  }
}

/**
 * What an access entry can be made for from a caller ARN: an IAM user's ARN as it is (with
 * its path), or the role behind an assumed-role session. Root and federated users have no IAM
 * principal to grant, so they give undefined.
 */
function parseCaller(
  callerArn: string,
): { userArn: string } | { partition: string; roleName: string } | undefined {
  const session = /^arn:(aws[a-z-]*):sts::\d{12}:assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  if (session) {
    const [, partition, roleName] = session;
    return { partition, roleName };
  }
  if (/^arn:aws[a-z-]*:iam::\d{12}:user\/.+$/.test(callerArn)) return { userArn: callerArn };
  return undefined;
}
