import { DescribeInstancesCommand, DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { handlerUnderTest } from '../helpers/custom-resource-handler';

const WAIT_LIMIT_MS = 300;
const TAG = {
  ClusterName: 'bitcoin-platform',
  TagKey: 'eks-bitcoin-platform/cluster',
  TagValue: 'bitcoin-platform',
};
const HELD = { Name: 'status', Values: ['creating', 'available', 'in-use', 'error'] };
/** The two questions of each round: the cluster's tag, and the driver's own tag. */
const TAGGED = {
  Filters: [{ Name: 'tag:eks-bitcoin-platform/cluster', Values: ['bitcoin-platform'] }, HELD],
};
const DRIVER_MADE = { Filters: [{ Name: 'tag:ebs.csi.aws.com/cluster', Values: ['true'] }, HELD] };
const WHOSE =
  'of cluster bitcoin-platform (tagged eks-bitcoin-platform/cluster=bitcoin-platform or made by its driver before the tag)';

const ec2 = mockClient(EC2Client);
const { handler, event, answer, answers } = handlerUnderTest('volume-release', {
  logicalId: 'VolumesReleased',
  type: 'Custom::EbsVolumesReleased',
  properties: TAG,
});

beforeEach(() => {
  ec2.reset();
  process.env.WAIT_LIMIT_MS = String(WAIT_LIMIT_MS);
  process.env.POLL_INTERVAL_MS = '10';
});

const volumes = (...ids: string[]) => ({ Volumes: ids.map((VolumeId) => ({ VolumeId })) });
/** A volume the driver made before it tagged volumes with the cluster, attached or not. */
const legacy = (VolumeId: string, InstanceId?: string) => ({
  VolumeId,
  Tags: [
    { Key: 'ebs.csi.aws.com/cluster', Value: 'true' },
    { Key: 'kubernetes.io/created-for/pvc/namespace', Value: 'bitcoin' },
  ],
  Attachments: InstanceId ? [{ InstanceId, State: 'attached' as const }] : [],
});
const node = (InstanceId: string, cluster?: string) => ({
  InstanceId,
  Tags: cluster ? [{ Key: 'eks:cluster-name', Value: cluster }] : [],
});

describe('Custom::EbsVolumesReleased handler', () => {
  test('does nothing on Create, and names the tag it will wait for', async () => {
    await handler(event('Create'));
    expect(ec2.calls()).toHaveLength(0);
    expect(answer()).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'ebs-volumes-released:eks-bitcoin-platform/cluster=bitcoin-platform',
      RequestId: 'request-1',
      LogicalResourceId: 'VolumesReleased',
    });
  });

  test('does nothing on Update and keeps its physical id, so CloudFormation deletes nothing', async () => {
    await handler(event('Update', { PhysicalResourceId: 'earlier-id' }));
    expect(ec2.calls()).toHaveLength(0);
    expect(answer()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'earlier-id' });
  });

  test('on Delete, waits while tagged volumes exist and succeeds once they are gone', async () => {
    ec2
      .on(DescribeVolumesCommand, TAGGED)
      .resolvesOnce(volumes('vol-1', 'vol-2'))
      .resolvesOnce(volumes('vol-2'))
      .resolves(volumes());
    ec2.on(DescribeVolumesCommand, DRIVER_MADE).resolves(volumes());
    await handler(event('Delete', { PhysicalResourceId: 'id' }));
    expect(ec2.commandCalls(DescribeVolumesCommand, TAGGED)).toHaveLength(3);
    expect(answer()).toMatchObject({ Status: 'SUCCESS', Reason: `no volume ${WHOSE} is left` });
  });

  test("asks for the held volumes with the cluster's tag, then with the driver's, page by page", async () => {
    ec2
      .on(DescribeVolumesCommand, TAGGED)
      .resolvesOnce({ ...volumes('vol-1'), NextToken: 'page-2' })
      .resolvesOnce(volumes('vol-2'))
      .resolves(volumes());
    ec2.on(DescribeVolumesCommand, DRIVER_MADE).resolves(volumes());
    await handler(event('Delete', { PhysicalResourceId: 'id' }));
    const inputs = ec2.commandCalls(DescribeVolumesCommand).map((call) => call.args[0].input);
    // Round one: the tag's two pages, then the driver's tag; round two: both once.
    expect(inputs).toEqual([
      { ...TAGGED, NextToken: undefined },
      { ...TAGGED, NextToken: 'page-2' },
      { ...DRIVER_MADE, NextToken: undefined },
      { ...TAGGED, NextToken: undefined },
      { ...DRIVER_MADE, NextToken: undefined },
    ]);
  });

  test('gives up at the limit, succeeding and naming the volumes still there', async () => {
    ec2.on(DescribeVolumesCommand, TAGGED).resolves(volumes('vol-kept'));
    ec2.on(DescribeVolumesCommand, DRIVER_MADE).resolves(volumes());
    await handler(event('Delete', { PhysicalResourceId: 'id' }));
    expect(ec2.commandCalls(DescribeVolumesCommand, TAGGED).length).toBeGreaterThan(1);
    expect(answer()).toMatchObject({
      Status: 'SUCCESS',
      Reason: `gave up waiting; 1 volume(s) ${WHOSE} are still there: vol-kept`,
      Data: { RemainingVolumeCount: '1' },
    });
  });

  test('reports a DescribeVolumes error to CloudFormation instead of throwing', async () => {
    ec2
      .on(DescribeVolumesCommand)
      .rejects(Object.assign(new Error('not allowed'), { name: 'UnauthorizedOperation' }));
    await expect(handler(event('Delete', { PhysicalResourceId: 'id' }))).resolves.toBeUndefined();
    expect(answer()).toMatchObject({
      Status: 'FAILED',
      Reason: 'DescribeVolumes failed: UnauthorizedOperation: not allowed',
    });
  });

  test('waits for a volume the driver made before it tagged volumes with the cluster', async () => {
    ec2.on(DescribeVolumesCommand, TAGGED).resolves(volumes());
    ec2
      .on(DescribeVolumesCommand, DRIVER_MADE)
      .resolvesOnce({ Volumes: [legacy('vol-legacy')] })
      .resolves(volumes());
    await handler(event('Delete', { PhysicalResourceId: 'id' }));
    expect(ec2.commandCalls(DescribeVolumesCommand, DRIVER_MADE)).toHaveLength(2);
    expect(answer()).toMatchObject({ Status: 'SUCCESS', Reason: `no volume ${WHOSE} is left` });
  });

  test("leaves out an untagged volume on another cluster's node, not one on ours or on a node EKS did not tag", async () => {
    ec2.on(DescribeVolumesCommand, TAGGED).resolves(volumes());
    ec2.on(DescribeVolumesCommand, DRIVER_MADE).resolves({
      Volumes: [
        legacy('vol-theirs', 'i-theirs'),
        legacy('vol-ours', 'i-ours'),
        legacy('vol-unknown', 'i-untagged'),
        legacy('vol-detached'),
      ],
    });
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        { Instances: [node('i-theirs', 'other-cluster'), node('i-ours', 'bitcoin-platform')] },
        { Instances: [node('i-untagged')] },
      ],
    });
    await handler(event('Delete', { PhysicalResourceId: 'id' }));
    expect(ec2.commandCalls(DescribeInstancesCommand)[0].args[0].input).toEqual({
      Filters: [{ Name: 'instance-id', Values: ['i-theirs', 'i-ours', 'i-untagged'] }],
      NextToken: undefined,
    });
    expect(answer()).toMatchObject({
      Status: 'SUCCESS',
      Reason: `gave up waiting; 3 volume(s) ${WHOSE} are still there: vol-ours, vol-unknown, vol-detached`,
    });
  });

  test('leaves out a volume with the cluster tag key of another cluster', async () => {
    ec2.on(DescribeVolumesCommand, TAGGED).resolves(volumes());
    ec2.on(DescribeVolumesCommand, DRIVER_MADE).resolves({
      Volumes: [{ VolumeId: 'vol-other', Tags: [{ Key: TAG.TagKey, Value: 'other-cluster' }] }],
    });
    await handler(event('Delete', { PhysicalResourceId: 'id' }));
    expect(ec2.commandCalls(DescribeVolumesCommand)).toHaveLength(2);
    expect(answer()).toMatchObject({ Status: 'SUCCESS', Reason: `no volume ${WHOSE} is left` });
  });

  test('reports a DescribeInstances error to CloudFormation instead of throwing', async () => {
    ec2.on(DescribeVolumesCommand, TAGGED).resolves(volumes());
    ec2.on(DescribeVolumesCommand, DRIVER_MADE).resolves({ Volumes: [legacy('vol-1', 'i-1')] });
    ec2
      .on(DescribeInstancesCommand)
      .rejects(Object.assign(new Error('not allowed'), { name: 'UnauthorizedOperation' }));
    await expect(handler(event('Delete', { PhysicalResourceId: 'id' }))).resolves.toBeUndefined();
    expect(answer()).toMatchObject({
      Status: 'FAILED',
      Reason: 'DescribeInstances failed: UnauthorizedOperation: not allowed',
    });
  });

  test('answers with an empty content type, which the pre-signed URL is signed for', async () => {
    await handler(event('Create'));
    expect(answers[0].contentType).toBe('');
  });
});
