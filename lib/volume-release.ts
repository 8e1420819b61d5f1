import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { skipCheckov } from './private/checkov';
import { handlerCode } from './private/handler-code';
import { acceptWildcards } from './private/nag';

/**
 * How long a destroy waits for the volumes. Deleting a claim returns before the driver has
 * deleted its volume, which it can only do once the pod has stopped and the volume is detached.
 * A volume still there after 10 minutes is most likely kept by something else (a claim outside
 * the charts, a `Retain` class), and waiting longer would only delay the destroy.
 */
const WAIT_LIMIT = Duration.minutes(10);
/** Time for a last DescribeVolumes and the answer to CloudFormation after the limit. */
const HANDLER_TIMEOUT = WAIT_LIMIT.plus(Duration.minutes(2));
const POLL_INTERVAL = Duration.seconds(15);

export interface EbsVolumesReleasedProps {
  /** The cluster whose volumes are waited for. */
  readonly clusterName: string;
  /** The tag the EBS CSI driver puts on every volume it creates for this cluster. */
  readonly tag: {
    /** The tag's key, which the driver's controller adds through its `extraVolumeTags`. */
    readonly key: string;
    /** The tag's value, the cluster's name. */
    readonly value: string;
  };
}

/**
 * `Custom::EbsVolumesReleased`: on delete, waits (within {@link WAIT_LIMIT}) until no volume of
 * the cluster is left, then lets CloudFormation go on and delete the driver and the nodes. The
 * cluster's volumes are those with its tag and, on a stack deployed before the driver tagged
 * them, those the driver made without it (see the handler). It deletes nothing itself: a volume
 * the driver did not make, such as a `staticVolumeId` one, is never its business. Its own small
 * Lambda answers CloudFormation directly; the custom-resources Provider would add a framework
 * function, with its role and policy, to do the same.
 */
export class EbsVolumesReleased extends Construct {
  /** The waiter: whatever can own a claim must depend on it, so it is deleted before it waits. */
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: EbsVolumesReleasedProps) {
    super(scope, id);
    // Goes with the stack: the volumes still there are named in the Delete event's reason too,
    // which CloudFormation keeps with the deleted stack's events.
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    skipCheckov(logGroup.node.defaultChild as logs.CfnLogGroup, [
      {
        id: 'CKV_AWS_158',
        comment:
          'it holds volume IDs and timings only, encrypted at rest by CloudWatch Logs; a customer key would add cost and key-policy coupling without narrowing who can read them',
      },
    ]);

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    // The instances tell which cluster an untagged volume's node belongs to.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ec2:DescribeVolumes', 'ec2:DescribeInstances'],
        resources: ['*'],
      }),
    );
    logGroup.grantWrite(role);
    acceptWildcards(
      role,
      ['*'],
      'ec2:DescribeVolumes and ec2:DescribeInstances have no resource-level permissions; the role can do nothing else but write its own log group.',
    );

    const handler = new lambda.Function(this, 'Handler', {
      description: 'Waits on stack deletion until the EBS volumes the cluster created are gone',
      runtime: lambda.Runtime.NODEJS_24_X,
      code: handlerCode(),
      handler: 'volume-release.handler',
      role,
      logGroup,
      timeout: HANDLER_TIMEOUT,
      environment: {
        WAIT_LIMIT_MS: String(WAIT_LIMIT.toMilliseconds()),
        POLL_INTERVAL_MS: String(POLL_INTERVAL.toMilliseconds()),
      },
    });

    this.resource = new CustomResource(this, 'Resource', {
      resourceType: 'Custom::EbsVolumesReleased',
      serviceToken: handler.functionArn,
      properties: {
        ClusterName: props.clusterName,
        TagKey: props.tag.key,
        TagValue: props.tag.value,
      },
      // Without an answer (the handler crashed), CloudFormation gives up after this, not an hour.
      serviceTimeout: HANDLER_TIMEOUT.plus(Duration.minutes(1)),
    });
  }
}
