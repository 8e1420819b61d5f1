/* global console, process */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS that Lambda runs as it is */
'use strict';
/**
 * Handler of Custom::EbsVolumesReleased. Create and Update do nothing. Delete waits, within
 * WAIT_LIMIT_MS, until no EBS volume carries the tag TagKey=TagValue, then reports success,
 * naming the volumes still there. It never deletes a volume: the EBS CSI driver does, when their
 * claims go. Plain CommonJS on the runtime's own AWS SDK, so the asset needs no bundling.
 */
const { DescribeVolumesCommand, EC2Client } = require('@aws-sdk/client-ec2');
const { setTimeout: sleep } = require('node:timers/promises');
const { respond } = require('./cfn-response');

const ec2 = new EC2Client({});

/** A volume in these states still costs money and may still be deleted by the driver. */
const HELD_STATES = ['creating', 'available', 'in-use', 'error'];
/** CloudFormation takes at most 4 KiB of response: the log has the full list. */
const REASON_VOLUME_LIMIT = 20;

exports.handler = async (event) => {
  console.log(JSON.stringify({ ...event, ResponseURL: '...' }));
  const result = await outcome(event);
  console.log(JSON.stringify(result));
  await respond(event, result);
};

/** What to tell CloudFormation. Never throws: an error becomes a FAILED answer. */
async function outcome(event) {
  const { TagKey: key, TagValue: value } = event.ResourceProperties;
  const physicalId = event.PhysicalResourceId ?? `ebs-volumes-released:${key}=${value}`;
  if (event.RequestType !== 'Delete')
    return { status: 'SUCCESS', physicalId, reason: 'nothing to do' };
  try {
    const left = await waitForRelease(key, value);
    if (left.length === 0)
      return { status: 'SUCCESS', physicalId, reason: `no volume tagged ${key}=${value} is left` };
    const listed = left.slice(0, REASON_VOLUME_LIMIT).join(', ');
    const more =
      left.length > REASON_VOLUME_LIMIT ? ` and ${left.length - REASON_VOLUME_LIMIT} more` : '';
    return {
      status: 'SUCCESS',
      physicalId,
      reason: `gave up waiting; ${left.length} volume(s) tagged ${key}=${value} are still there: ${listed}${more}`,
      data: { RemainingVolumeCount: String(left.length) },
      remainingVolumeIds: left,
    };
  } catch (error) {
    return {
      status: 'FAILED',
      physicalId,
      reason: `DescribeVolumes failed: ${error.name}: ${error.message}`,
    };
  }
}

/** Polls until no held volume carries the tag or the limit is reached; returns the ones left. */
async function waitForRelease(key, value) {
  const deadline = Date.now() + Number(process.env.WAIT_LIMIT_MS);
  const interval = Number(process.env.POLL_INTERVAL_MS);
  for (;;) {
    const left = await heldVolumes(key, value);
    if (left.length === 0 || Date.now() + interval > deadline) return left;
    console.log(`waiting for ${left.length} volume(s) to be deleted: ${left.join(', ')}`);
    await sleep(interval);
  }
}

async function heldVolumes(key, value) {
  const ids = [];
  let NextToken;
  do {
    const page = await ec2.send(
      new DescribeVolumesCommand({
        Filters: [
          { Name: `tag:${key}`, Values: [value] },
          { Name: 'status', Values: HELD_STATES },
        ],
        NextToken,
      }),
    );
    ids.push(...(page.Volumes ?? []).map((volume) => volume.VolumeId));
    NextToken = page.NextToken;
  } while (NextToken);
  return ids;
}
