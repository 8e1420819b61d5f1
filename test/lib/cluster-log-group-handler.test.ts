import {
  CloudWatchLogsClient,
  CloudWatchLogsServiceException,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { handlerUnderTest } from '../helpers/custom-resource-handler';

const GROUP = '/aws/eks/bitcoin-platform/cluster';
const logs = mockClient(CloudWatchLogsClient);
const { handler, event, answer, answers } = handlerUnderTest('cluster-log-group', {
  logicalId: 'ControlPlaneLogs',
  type: 'Custom::ClusterLogGroup',
  // CloudFormation passes every property as a string.
  properties: { LogGroupName: GROUP, RetentionInDays: '90' },
});

beforeEach(() => logs.reset());

const serviceError = (name: string) =>
  new CloudWatchLogsServiceException({ name, $fault: 'client', $metadata: {}, message: name });

const inputs = (command: Parameters<typeof logs.commandCalls>[0]) =>
  logs.commandCalls(command).map((call) => call.args[0].input);

describe('Custom::ClusterLogGroup handler', () => {
  test('on Create in a new stack, makes the group before EKS does and sets its retention', async () => {
    await handler(event('Create'));
    expect(inputs(CreateLogGroupCommand)).toEqual([{ logGroupName: GROUP }]);
    expect(inputs(PutRetentionPolicyCommand)).toEqual([
      { logGroupName: GROUP, retentionInDays: 90 },
    ]);
    expect(answer()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: GROUP });
  });

  test('on Create in a stack whose cluster EKS already made the group for, takes it over', async () => {
    logs.on(CreateLogGroupCommand).rejects(serviceError('ResourceAlreadyExistsException'));
    await handler(event('Create'));
    expect(inputs(PutRetentionPolicyCommand)).toEqual([
      { logGroupName: GROUP, retentionInDays: 90 },
    ]);
    expect(answer()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: GROUP });
  });

  test('on Update, sets the new retention on the same group', async () => {
    logs.on(CreateLogGroupCommand).rejects(serviceError('ResourceAlreadyExistsException'));
    await handler(
      event('Update', {
        PhysicalResourceId: GROUP,
        ResourceProperties: { LogGroupName: GROUP, RetentionInDays: '30' },
        OldResourceProperties: { LogGroupName: GROUP, RetentionInDays: '90' },
      }),
    );
    expect(inputs(PutRetentionPolicyCommand)).toEqual([
      { logGroupName: GROUP, retentionInDays: 30 },
    ]);
    expect(answer()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: GROUP });
  });

  test('on Delete, deletes the group it answered for', async () => {
    await handler(event('Delete', { PhysicalResourceId: GROUP }));
    expect(inputs(DeleteLogGroupCommand)).toEqual([{ logGroupName: GROUP }]);
    expect(logs.commandCalls(CreateLogGroupCommand)).toHaveLength(0);
    expect(answer()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: GROUP });
  });

  test('on Delete, succeeds when the group is already gone', async () => {
    logs.on(DeleteLogGroupCommand).rejects(serviceError('ResourceNotFoundException'));
    await handler(event('Delete', { PhysicalResourceId: GROUP }));
    expect(answer()).toMatchObject({ Status: 'SUCCESS' });
  });

  test("a failed Create names no group, so its rollback's Delete keeps the group EKS made", async () => {
    logs.on(CreateLogGroupCommand).rejects(serviceError('ResourceAlreadyExistsException'));
    logs.on(PutRetentionPolicyCommand).rejects(serviceError('AccessDeniedException'));
    await handler(event('Create'));
    const failed = answer();
    expect(failed).toMatchObject({
      Status: 'FAILED',
      Reason: `Create of ${GROUP} failed: AccessDeniedException: AccessDeniedException`,
    });
    expect(failed.PhysicalResourceId).not.toBe(GROUP);

    answers.length = 0;
    await handler(event('Delete', { PhysicalResourceId: failed.PhysicalResourceId }));
    expect(logs.commandCalls(DeleteLogGroupCommand)).toHaveLength(0);
    expect(answer()).toMatchObject({ Status: 'SUCCESS' });
  });

  test('a failed Delete is reported to CloudFormation instead of thrown', async () => {
    logs.on(DeleteLogGroupCommand).rejects(serviceError('AccessDeniedException'));
    await expect(handler(event('Delete', { PhysicalResourceId: GROUP }))).resolves.toBeUndefined();
    expect(answer()).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: GROUP,
      Reason: `Delete of ${GROUP} failed: AccessDeniedException: AccessDeniedException`,
    });
  });
});
