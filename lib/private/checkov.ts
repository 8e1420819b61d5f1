import { CfnResource, IAspect } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** A checkov check this resource is exempt from, and why. */
export interface CheckovSkip {
  /** The check's id, such as `CKV_AWS_158`. */
  readonly id: string;
  /** Why the check does not fit the resource; checkov prints it with the skipped check. */
  readonly comment: string;
}

/** Records checkov exemptions in the resource's template metadata, where checkov reads them. */
export function skipCheckov(resource: CfnResource, skips: CheckovSkip[]): void {
  const existing = (resource.getMetadata('checkov') as { skip?: CheckovSkip[] } | undefined)?.skip;
  resource.addMetadata('checkov', { skip: [...(existing ?? []), ...skips] });
}

const HANDLER_REASON = 'a custom-resource handler that CloudFormation invokes synchronously';

/**
 * Every Lambda function in this app is a custom-resource handler: those aws-cdk-lib writes (the
 * kubectl provider and its framework, CDK utilities), our EBS volume waiter and our add-on version lookup. checkov's general
 * Lambda advice does not fit them, so each one carries its exemptions with the reason.
 */
export class CdkHandlerCheckovSkips implements IAspect {
  /** Adds the exemptions to `node` if it is a Lambda function, and does nothing otherwise. */
  visit(node: IConstruct): void {
    if (!(node instanceof CfnResource) || node.cfnResourceType !== 'AWS::Lambda::Function') return;
    skipCheckov(node, [
      {
        id: 'CKV_AWS_115',
        comment: `${HANDLER_REASON}; it runs only during deployments, so a reserved concurrency would only cap them`,
      },
      {
        id: 'CKV_AWS_116',
        comment: `${HANDLER_REASON}; a failed call fails the stack operation, so a dead-letter queue would never be read`,
      },
      {
        id: 'CKV_AWS_117',
        comment: `${HANDLER_REASON}; the kubectl provider's run in the VPC when the cluster endpoint is private or restricted and outside it when the endpoint is open to every address anyway, the others only call AWS APIs`,
      },
      {
        id: 'CKV_AWS_173',
        comment: `${HANDLER_REASON}; its environment holds no secrets, only names and flags`,
      },
    ]);
  }
}
