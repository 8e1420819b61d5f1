import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

/** Who is running `cdk deploy`, as far as access entries are concerned. */
export interface Deployer {
  readonly account: string;
  /** An IAM role or user ARN that an access entry can name. */
  readonly principalArn: string;
}

/** The outcome of looking up the caller: a deployer, or the one-line reason there is none. */
export type DeployerLookup = { deployer: Deployer } | { warning: string };

/** Long enough for STS on a slow link, short enough that an offline synth does not stall. */
export const STS_TIMEOUT_MS = 3000;

/**
 * Asks STS who the caller is. Never throws: no credentials, no network or a hang become a
 * warning, so synth carries on without a deployer access entry.
 */
export async function lookUpDeployer(
  client: Pick<STSClient, 'send'>,
  timeoutMs = STS_TIMEOUT_MS,
): Promise<DeployerLookup> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const identity = await Promise.race([client.send(new GetCallerIdentityCommand({})), timeout]);
    const principalArn = iamPrincipalArn(identity.Arn ?? '');
    if (!identity.Account || !principalArn) {
      return { warning: `the caller ${identity.Arn} cannot be named in an EKS access entry` };
    }
    return { deployer: { account: identity.Account, principalArn } };
  } catch (error) {
    return { warning: `could not ask AWS STS who is deploying (${(error as Error).message})` };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The IAM principal behind a caller ARN. An assumed-role session
 * (`arn:aws:sts::123456789012:assumed-role/Admin/alice`) maps to its role
 * (`arn:aws:iam::123456789012:role/Admin`); users map to themselves. Root and federated
 * users have no IAM principal to grant, so they map to undefined.
 */
export function iamPrincipalArn(callerArn: string): string | undefined {
  const session = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  if (session) {
    const [, partition, account, role] = session;
    return `arn:${partition}:iam::${account}:role/${role}`;
  }
  if (/^arn:aws[a-z-]*:iam::\d{12}:(user|role)\/.+$/.test(callerArn)) return callerArn;
  return undefined;
}
