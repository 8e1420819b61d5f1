import { CloudFormationClient, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { AWS_CALL_TIMEOUT_MS } from './deployer';
import { withTimeout } from './private/with-timeout';

/** The admins of the stack as deployed, or why there are none to tell: no stack, or no answer. */
export type DeployedAdmins =
  | {
      /**
       * The principal ARNs of the deployed template's access entries. The kubectl provider's
       * role is a reference there, not an ARN, so it is left out.
       */
      readonly admins: readonly string[];
    }
  | {
      /** No stack of that name is deployed. */
      readonly none: true;
    }
  | {
      /** Why CloudFormation did not say: the message of its error. */
      readonly unknown: string;
    };

/**
 * Reads the deployed template of `stackName`. Asked only while cdk.context.json records no admin:
 * on a stack deployed before admins were recorded, they are its admins. Never throws.
 */
export async function lookUpDeployedAdmins(
  cfn: Pick<CloudFormationClient, 'send'>,
  stackName: string,
  timeoutMs = AWS_CALL_TIMEOUT_MS,
): Promise<DeployedAdmins> {
  let body: string | undefined;
  try {
    ({ TemplateBody: body } = await withTimeout(
      cfn.send(new GetTemplateCommand({ StackName: stackName })),
      timeoutMs,
    ));
  } catch (error) {
    const { name, message } = error as Error;
    // CloudFormation's answer for a stack that was never made, or is deleted.
    if (name === 'ValidationError' && /does not exist/.test(message)) return { none: true };
    return { unknown: message };
  }
  const resources: Record<string, { Type?: string; Properties?: { PrincipalArn?: unknown } }> =
    JSON.parse(body ?? '{}').Resources ?? {};
  const admins = Object.values(resources)
    .filter((r) => r.Type === 'AWS::EKS::AccessEntry')
    .map((r) => r.Properties?.PrincipalArn)
    .filter((arn): arn is string => typeof arn === 'string');
  return { admins: [...new Set(admins)] };
}
