import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

// cdk-nag reports each finding under its own id, so an acknowledgement names the exact
// policy or resource it accepts rather than silencing a whole rule.
const RULE = 'AwsSolutions::AwsSolutions';

/** Accepts AWS managed policies (IAM4), given by name as in `fromAwsManagedPolicyName`. */
export function acceptManagedPolicies(scope: IConstruct, names: string[], reason: string): void {
  acknowledge(
    scope,
    names.map((name) => `IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`),
    reason,
  );
}

/** Accepts wildcard resources (IAM5), as cdk-nag prints them. */
export function acceptWildcards(scope: IConstruct, resources: string[], reason: string): void {
  acknowledge(
    scope,
    resources.map((resource) => `IAM5[Resource::${resource}]`),
    reason,
  );
}

/** Accepts a finding that has no per-resource id, such as L1. */
export function acceptRule(scope: IConstruct, rule: string, reason: string): void {
  acknowledge(scope, [rule], reason);
}

function acknowledge(scope: IConstruct, findings: string[], reason: string): void {
  Validations.of(scope).acknowledge(...findings.map((f) => ({ id: `${RULE}-${f}`, reason })));
}
