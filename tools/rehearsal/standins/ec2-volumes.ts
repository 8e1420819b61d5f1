/**
 * EC2's DescribeVolumes and DescribeInstances over the EBS CSI stand-in's volumes, so that the
 * `Custom::EbsVolumesReleased` step runs the stack's own handler code (`heldVolumes` of
 * lib/handlers/volume-release.js) and waits for exactly the volumes it would wait for on AWS.
 * Filters are applied as EC2 applies them: `tag:<key>` matches any of its values, every filter
 * must match. The stand-in's volumes exist until the driver deletes them (`available` here) and
 * are attached to no instance: kwok's nodes have none.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVolumes.html
 */
import { DescribeInstancesCommand, DescribeVolumesCommand, type Filter } from '@aws-sdk/client-ec2';

/** A volume as the stand-in holds it. */
export interface TaggedVolume {
  readonly id: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** What the handler's code sends to its EC2 client. */
type Ec2Command = DescribeVolumesCommand | DescribeInstancesCommand;

/** An EC2 client, as far as the waiter's handler uses one, over `volumes()`. */
export function fakeEc2(volumes: () => readonly TaggedVolume[]) {
  return {
    async send(command: Ec2Command): Promise<unknown> {
      if (command instanceof DescribeInstancesCommand) return { Reservations: [] };
      const filters = command.input.Filters ?? [];
      const found = volumes().filter((volume) => filters.every((f) => matches(volume, f)));
      return {
        Volumes: found.map((volume) => ({
          VolumeId: volume.id,
          State: 'available',
          Tags: Object.entries(volume.tags).map(([Key, Value]) => ({ Key, Value })),
          Attachments: [],
        })),
      };
    },
  };
}

function matches(volume: TaggedVolume, filter: Filter): boolean {
  const values = filter.Values ?? [];
  if (filter.Name === 'status') return values.includes('available');
  if (filter.Name?.startsWith('tag:')) {
    const value = volume.tags[filter.Name.slice('tag:'.length)];
    return value !== undefined && values.includes(value);
  }
  throw new Error(`the fake EC2 knows no DescribeVolumes filter "${filter.Name}"`);
}
