import * as iam from 'aws-cdk-lib/aws-iam';
import { CustomResource, Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { handledResource } from './private/handled-resource';
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
 * the driver did not make, such as a `staticVolumeId` one, is never its business.
 */
export class EbsVolumesReleased extends Construct {
  /** The waiter: whatever can own a claim must depend on it, so it is deleted before it waits. */
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: EbsVolumesReleasedProps) {
    super(scope, id);
    const { resource, role } = handledResource(this, {
      resourceType: 'Custom::EbsVolumesReleased',
      handler: 'volume-release',
      description: 'Waits on stack deletion until the EBS volumes the cluster created are gone',
      timeout: HANDLER_TIMEOUT,
      // The volumes still there are named in the Delete event's reason too.
      logHolds: 'volume IDs and timings only',
      // The instances tell which cluster an untagged volume's node belongs to.
      statements: [
        new iam.PolicyStatement({
          actions: ['ec2:DescribeVolumes', 'ec2:DescribeInstances'],
          resources: ['*'],
        }),
      ],
      environment: {
        WAIT_LIMIT_MS: String(WAIT_LIMIT.toMilliseconds()),
        POLL_INTERVAL_MS: String(POLL_INTERVAL.toMilliseconds()),
      },
      properties: {
        ClusterName: props.clusterName,
        TagKey: props.tag.key,
        TagValue: props.tag.value,
      },
    });
    acceptWildcards(
      role,
      ['*'],
      'ec2:DescribeVolumes and ec2:DescribeInstances have no resource-level permissions; the role can do nothing else but write its own log group.',
    );
    this.resource = resource;
  }
}
