import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ArnFormat, CustomResource, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { skipCheckov } from './private/checkov';
import { handlerCode } from './private/handler-code';
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

    // The handler's own log, which names each call's outcome, goes with the stack too.
    const handlerLogs = new logs.LogGroup(this, 'HandlerLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    skipCheckov(handlerLogs.node.defaultChild as logs.CfnLogGroup, [
      {
        id: 'CKV_AWS_158',
        comment:
          'it holds a log group name and the outcome of each call, encrypted at rest by CloudWatch Logs; a customer key would add cost and key-policy coupling without narrowing who can read them',
      },
    ]);

    const groupArn = Stack.of(this).formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: this.logGroupName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:DeleteLogGroup'],
        // IAM matches a log group by its ARN with or without the `:*` that Describe calls print.
        resources: [groupArn, `${groupArn}:*`],
      }),
    );
    handlerLogs.grantWrite(role);
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

    const handler = new lambda.Function(this, 'Handler', {
      description:
        'Makes or takes over the EKS control-plane log group, sets its retention, deletes it with the stack',
      runtime: lambda.Runtime.NODEJS_24_X,
      code: handlerCode(),
      handler: 'cluster-log-group.handler',
      role,
      logGroup: handlerLogs,
      timeout: HANDLER_TIMEOUT,
    });

    this.resource = new CustomResource(this, 'Resource', {
      resourceType: 'Custom::ClusterLogGroup',
      serviceToken: handler.functionArn,
      properties: { LogGroupName: this.logGroupName, RetentionInDays: props.retentionDays },
      // Without an answer (the handler crashed), CloudFormation gives up after this, not an hour.
      serviceTimeout: HANDLER_TIMEOUT.plus(Duration.minutes(1)),
    });
  }
}
