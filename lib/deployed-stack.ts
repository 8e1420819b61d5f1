import { CloudFormationClient, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { AWS_CALL_TIMEOUT_MS } from './deployer';
import { withTimeout } from './private/with-timeout';

/** A deployed template, as far as synth reads it: its resources' types and properties. */
export interface DeployedTemplate {
  /**
   * The template's resources, by logical ID.
   * @default - none
   */
  readonly Resources?: Readonly<Record<string, DeployedResource>>;
}

/** One resource of a deployed template. */
export interface DeployedResource {
  /**
   * Its CloudFormation type, like `AWS::EKS::AccessEntry`.
   * @default - none (not a resource synth reads)
   */
  readonly Type?: string;
  /**
   * Its properties, as deployed.
   * @default - none
   */
  readonly Properties?: Readonly<Record<string, unknown>>;
}

/** The stack as deployed, or why there is none to tell: no stack, or no answer. */
export type DeployedStack =
  | {
      /** The template CloudFormation deployed last. */
      readonly template: DeployedTemplate;
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
 * Reads the deployed template of `stackName`. Asked only while cdk.context.json lacks something
 * learned from it (the admins, their entries' logical IDs, the claims' names), which is then
 * recorded, so that every later synth, offline too, makes the same template. Never throws.
 */
export async function lookUpDeployedStack(
  cfn: Pick<CloudFormationClient, 'send'>,
  stackName: string,
  timeoutMs = AWS_CALL_TIMEOUT_MS,
): Promise<DeployedStack> {
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
  return { template: JSON.parse(body ?? '{}') };
}
