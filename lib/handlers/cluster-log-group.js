/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS that Lambda runs as it is */
'use strict';
/**
 * Handler of Custom::ClusterLogGroup, which owns the log group EKS writes a cluster's
 * control-plane logs to. Create and Update make the group LogGroupName when it is missing (a new
 * stack: CloudFormation creates the cluster after this resource) or take over the one EKS made (a
 * stack deployed before), then set its retention to RetentionInDays. Delete, which CloudFormation
 * sends once the cluster is gone, deletes the group. Plain CommonJS on the runtime's own AWS SDK.
 */
const {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  PutRetentionPolicyCommand,
} = require('@aws-sdk/client-cloudwatch-logs');
const { answering } = require('./cfn-response');

const logs = new CloudWatchLogsClient({});

/**
 * The physical ID of a Create that failed. CloudFormation sends a Delete for it when it rolls
 * back, and a group that EKS made before must not go with it: this ID names no group.
 */
const NOT_CREATED = 'not-created:';

exports.handler = answering(outcome);

/** What to tell CloudFormation. Never throws: an error becomes a FAILED answer. */
async function outcome(event) {
  const { LogGroupName: name, RetentionInDays: days } = event.ResourceProperties;
  try {
    if (event.RequestType === 'Delete') return await deleteGroup(event.PhysicalResourceId);
    await createUnlessThere(name);
    await logs.send(
      new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: Number(days) }),
    );
    return { status: 'SUCCESS', physicalId: name, reason: `${name} keeps events ${days} days` };
  } catch (error) {
    return {
      status: 'FAILED',
      // A failed Update keeps the group it had; a failed Create names none.
      physicalId: event.PhysicalResourceId ?? `${NOT_CREATED}${event.RequestId}`,
      reason: `${event.RequestType} of ${name} failed: ${error.name}: ${error.message}`,
    };
  }
}

async function createUnlessThere(name) {
  try {
    await logs.send(new CreateLogGroupCommand({ logGroupName: name }));
  } catch (error) {
    if (error.name !== 'ResourceAlreadyExistsException') throw error;
  }
}

async function deleteGroup(physicalId) {
  if (physicalId.startsWith(NOT_CREATED)) {
    return { status: 'SUCCESS', physicalId, reason: 'the Create failed: no group to delete' };
  }
  try {
    await logs.send(new DeleteLogGroupCommand({ logGroupName: physicalId }));
  } catch (error) {
    if (error.name !== 'ResourceNotFoundException') throw error;
  }
  return { status: 'SUCCESS', physicalId, reason: `${physicalId} is deleted` };
}
