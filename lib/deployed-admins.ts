import { CloudFormationClient, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import type { AdminEntryIds } from './admin-entries';
import { AWS_CALL_TIMEOUT_MS } from './deployer';
import { withTimeout } from './private/with-timeout';

/** The admins of the stack as deployed, or why there are none to tell: no stack, or no answer. */
export type DeployedAdmins =
  | {
      /**
       * The logical ID of each of the deployed template's access entries, by principal ARN. The
       * kubectl provider's role is a reference there, not an ARN, so it is left out.
       */
      readonly entryIds: AdminEntryIds;
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
 * Reads the deployed template of `stackName`. Asked only while cdk.context.json records no admin
 * or no entry IDs: on a stack deployed before admins were recorded, they are its admins, and its
 * entries keep their logical IDs. Never throws.
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
  return { entryIds: adminEntryIdsOf(JSON.parse(body ?? '{}')) };
}

/** A template as far as its access entries go. */
interface EntriesOfTemplate {
  readonly Resources?: Readonly<
    Record<string, { readonly Type?: string; readonly Properties?: { PrincipalArn?: unknown } }>
  >;
}

/** The logical ID of each access entry of `template` that names its principal by ARN. */
export function adminEntryIdsOf(template: EntriesOfTemplate): AdminEntryIds {
  const entryIds: Record<string, string> = {};
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    const arn = resource.Properties?.PrincipalArn;
    if (resource.Type === 'AWS::EKS::AccessEntry' && typeof arn === 'string') entryIds[arn] = id;
  }
  return entryIds;
}
