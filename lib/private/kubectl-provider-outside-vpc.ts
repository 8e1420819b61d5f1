import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** The managed policy Lambda needs only to make network interfaces in a VPC. */
export const VPC_ACCESS_POLICY = 'service-role/AWSLambdaVPCAccessExecutionRole';

/**
 * Takes the kubectl provider's Lambdas (its handler and the provider framework's function) out of
 * the VPC that aws-eks-v2 puts them in whenever the cluster's private endpoint is on, and their
 * roles' permission to make network interfaces with it. Only for a public endpoint that every
 * address may reach: the functions then call it from Lambda's own network, and leave no network
 * interfaces behind for a destroy to wait on.
 */
export function keepKubectlProviderOutOfVpc(provider: IConstruct): void {
  for (const child of provider.node.findAll()) {
    if (child instanceof lambda.CfnFunction) child.vpcConfig = undefined;
    if (child instanceof iam.CfnRole) {
      const arns: unknown[] = Stack.of(child).resolve(child.managedPolicyArns) ?? [];
      child.managedPolicyArns = arns.filter(
        (arn) => !JSON.stringify(arn).includes(`:iam::aws:policy/${VPC_ACCESS_POLICY}"`),
      ) as string[];
    }
  }
}
