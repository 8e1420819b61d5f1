import * as iam from 'aws-cdk-lib/aws-iam';
import { ArnFormat, CustomResource, Duration, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { handledResource } from './private/handled-resource';
import { acceptWildcards } from './private/nag';

/** Three calls to CloudWatch Logs and an answer: a minute is ample. */
const HANDLER_TIMEOUT = Duration.minutes(1);

export interface ClusterLogGroupProps {
  /** The literal name: the group's name and its IAM permissions are built from it. */
  readonly clusterName: string;
  /**
   * Days CloudWatch Logs keeps the control-plane logs.
   * @see https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html
   */
  readonly retentionDays: number;
}

/**
 * `Custom::ClusterLogGroup`: the log group EKS writes the control-plane logs to
 * (`/aws/eks/<cluster>/cluster`), with a retention, deleted with the stack. EKS makes that group
 * itself when the cluster starts logging, so a plain `AWS::Logs::LogGroup` of the name would fail
 * to create on a stack deployed before; this resource makes the group when it is missing and
 * takes it over when it is not. The cluster must depend on {@link ClusterLogGroup.resource}: the
 * group then exists before EKS looks for it, and is deleted only after the cluster.
 */
export class ClusterLogGroup extends Construct {
  /** The custom resource that makes or takes over the group; the cluster depends on it. */
  readonly resource: CustomResource;
  /** `/aws/eks/<cluster>/cluster`: the name EKS writes the control-plane logs under. */
  readonly logGroupName: string;

  constructor(scope: Construct, id: string, props: ClusterLogGroupProps) {
    super(scope, id);
    this.logGroupName = `/aws/eks/${props.clusterName}/cluster`;

    const groupArn = Stack.of(this).formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: this.logGroupName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const { resource, role } = handledResource(this, {
      resourceType: 'Custom::ClusterLogGroup',
      handler: 'cluster-log-group',
      description:
        'Makes or takes over the EKS control-plane log group, sets its retention, deletes it with the stack',
      timeout: HANDLER_TIMEOUT,
      logHolds: 'a log group name and the outcome of each call',
      // Not `Logs`: the group it manages is the cluster's.
      logGroupId: 'HandlerLogs',
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:DeleteLogGroup'],
          // IAM matches a log group by its ARN with or without the `:*` that Describe calls print.
          resources: [groupArn, `${groupArn}:*`],
        }),
      ],
      properties: { LogGroupName: this.logGroupName, RetentionInDays: props.retentionDays },
    });
    // cdk-nag names the region and account as written: tokens, or literals in a pinned stack.
    const { region, account } = Stack.of(this);
    const where = (value: string, pseudo: string) => (Token.isUnresolved(value) ? pseudo : value);
    acceptWildcards(
      role,
      [
        `arn:<AWS::Partition>:logs:${where(region, '<AWS::Region>')}:${where(account, '<AWS::AccountId>')}:log-group:${this.logGroupName}:*`,
      ],
      "The one log group of the cluster's control-plane logs, in the form IAM may match it in.",
    );
    this.resource = resource;
  }
}
