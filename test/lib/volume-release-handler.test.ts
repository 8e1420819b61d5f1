import { DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { type CfnAnswer, useCfnResponseUrl } from '../helpers/cfn-response-url';

// The handler is plain JavaScript that Lambda runs as it is; this is the part of it we call.
const { handler } = jest.requireActual<{ handler: (event: object) => Promise<void> }>(
  '../../lib/handlers/volume-release.js',
);

const WAIT_LIMIT_MS = 300;
const TAG = { TagKey: 'eks-bitcoin-platform/cluster', TagValue: 'bitcoin-platform' };

const ec2 = mockClient(EC2Client);
const responseUrl = useCfnResponseUrl();

beforeEach(() => {
  ec2.reset();
  process.env.WAIT_LIMIT_MS = String(WAIT_LIMIT_MS);
  process.env.POLL_INTERVAL_MS = '10';
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

function event(RequestType: string, extra: Record<string, unknown> = {}) {
  return {
    RequestType,
    ResponseURL: responseUrl.url(),
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/BitcoinPlatform/1',
    RequestId: 'request-1',
    LogicalResourceId: 'VolumesReleased',
    ResourceType: 'Custom::EbsVolumesReleased',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:fn', ...TAG },
    ...extra,
  };
}

/** The one answer CloudFormation got. */
function answer(): CfnAnswer['body'] {
  expect(responseUrl.answers).toHaveLength(1);
  return responseUrl.answers[0].body;
}

const volumes = (...ids: string[]) => ({ Volumes: ids.map((VolumeId) => ({ VolumeId })) });

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
      .on(DescribeVolumesCommand)
      .resolvesOnce(volumes('vol-1', 'vol-2'))
      .resolvesOnce(volumes('vol-2'))
      .resolves(volumes());
    await handler(event('Delete', { PhysicalResourceId: 'id' }));
    expect(ec2.commandCalls(DescribeVolumesCommand)).toHaveLength(3);
    expect(answer()).toMatchObject({
      Status: 'SUCCESS',
      Reason: 'no volume tagged eks-bitcoin-platform/cluster=bitcoin-platform is left',
    });
  });

  test('asks only for volumes with the tag that still exist, page by page', async () => {
    ec2
      .on(DescribeVolumesCommand)
      .resolvesOnce({ ...volumes('vol-1'), NextToken: 'page-2' })
      .resolvesOnce(volumes('vol-2'))
      .resolves(volumes());
    await handler(event('Delete', { PhysicalResourceId: 'id' }));
    const inputs = ec2.commandCalls(DescribeVolumesCommand).map((call) => call.args[0].input);
    expect(inputs[0].Filters).toEqual([
      { Name: 'tag:eks-bitcoin-platform/cluster', Values: ['bitcoin-platform'] },
      { Name: 'status', Values: ['creating', 'available', 'in-use', 'error'] },
    ]);
    expect(inputs.map((input) => input.NextToken)).toEqual([undefined, 'page-2', undefined]);
  });

  test('gives up at the limit, succeeding and naming the volumes still there', async () => {
    ec2.on(DescribeVolumesCommand).resolves(volumes('vol-kept'));
    const started = Date.now();
    await handler(event('Delete', { PhysicalResourceId: 'id' }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(WAIT_LIMIT_MS - 20);
    expect(ec2.commandCalls(DescribeVolumesCommand).length).toBeGreaterThan(1);
    expect(answer()).toMatchObject({
      Status: 'SUCCESS',
      Reason: expect.stringContaining(
        '1 volume(s) tagged eks-bitcoin-platform/cluster=bitcoin-platform are still there: vol-kept',
      ),
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

  test('answers with an empty content type, which the pre-signed URL is signed for', async () => {
    await handler(event('Create'));
    expect(responseUrl.answers[0].contentType).toBe('');
  });
});
