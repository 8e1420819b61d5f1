/* global console, process */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS that Lambda runs as it is */
'use strict';
/**
 * Handler of Custom::EbsVolumesReleased. Create and Update do nothing. Delete waits, within
 * WAIT_LIMIT_MS, until no EBS volume of the cluster ClusterName is left, then reports success,
 * naming the volumes still there. The cluster's volumes are those tagged TagKey=TagValue, and
 * those its EBS CSI driver made before it tagged them (on a stack deployed before the tag):
 * volumes with the driver's own tag and no TagKey, unless attached to another cluster's node.
 * It never deletes a volume: the EBS CSI driver does, when their claims go. Plain CommonJS on
 * the runtime's own AWS SDK, so the asset needs no bundling.
 */
const {
  DescribeInstancesCommand,
  DescribeVolumesCommand,
  EC2Client,
} = require('@aws-sdk/client-ec2');
const { setTimeout: sleep } = require('node:timers/promises');
const { answering } = require('./cfn-response');

const ec2 = new EC2Client({});

/** A volume in these states still costs money and may still be deleted by the driver. */
const HELD_STATES = ['creating', 'available', 'in-use', 'error'];
/** CloudFormation takes at most 4 KiB of response: the log has the full list. */
const REASON_VOLUME_LIMIT = 20;
/** The EBS CSI driver tags every volume it creates so, whatever its configuration. */
const DRIVER_TAG = { key: 'ebs.csi.aws.com/cluster', value: 'true' };
/** EKS tags each instance of a managed node group with its cluster's name. */
const NODE_CLUSTER_TAG = 'eks:cluster-name';

exports.handler = answering(outcome);

/** What to tell CloudFormation. Never throws: an error becomes a FAILED answer. */
async function outcome(event) {
  const properties = event.ResourceProperties;
  const { TagKey: key, TagValue: value } = properties;
  const physicalId = event.PhysicalResourceId ?? `ebs-volumes-released:${key}=${value}`;
  if (event.RequestType !== 'Delete')
    return { status: 'SUCCESS', physicalId, reason: 'nothing to do' };
  const whose = `of cluster ${properties.ClusterName} (tagged ${key}=${value} or made by its driver before the tag)`;
  try {
    const left = await waitForRelease(properties);
    if (left.length === 0)
      return { status: 'SUCCESS', physicalId, reason: `no volume ${whose} is left` };
    const listed = left.slice(0, REASON_VOLUME_LIMIT).join(', ');
    const more =
      left.length > REASON_VOLUME_LIMIT ? ` and ${left.length - REASON_VOLUME_LIMIT} more` : '';
    return {
      status: 'SUCCESS',
      physicalId,
      reason: `gave up waiting; ${left.length} volume(s) ${whose} are still there: ${listed}${more}`,
      data: { RemainingVolumeCount: String(left.length) },
      remainingVolumeIds: left,
    };
  } catch (error) {
    return {
      status: 'FAILED',
      physicalId,
      reason: `${error.operation} failed: ${error.name}: ${error.message}`,
    };
  }
}

/** Polls until none of the cluster's volumes is held or the limit is reached; returns the ones left. */
async function waitForRelease(properties) {
  const deadline = Date.now() + Number(process.env.WAIT_LIMIT_MS);
  const interval = Number(process.env.POLL_INTERVAL_MS);
  for (;;) {
    const left = await heldVolumes(ec2, properties);
    if (left.length === 0 || Date.now() + interval > deadline) return left;
    console.log(`waiting for ${left.length} volume(s) to be deleted: ${left.join(', ')}`);
    await sleep(interval);
  }
}

/**
 * The IDs of the cluster's volumes that still exist. One without TagKey may be another cluster's
 * (the driver's tag names none): it is left out only when attached to a node of another cluster,
 * since waiting in vain costs minutes and missing one leaves it billed.
 */
async function heldVolumes(client, { TagKey: key, TagValue: value, ClusterName: cluster }) {
  const tagged = await describeVolumes(client, key, value);
  const untagged = (await describeVolumes(client, DRIVER_TAG.key, DRIVER_TAG.value)).filter(
    (volume) => !(volume.Tags ?? []).some((tag) => tag.Key === key),
  );
  const elsewhere = await nodesOfOtherClusters(client, untagged, cluster);
  const legacy = untagged.filter(
    (volume) => !(volume.Attachments ?? []).some((a) => elsewhere.has(a.InstanceId)),
  );
  return [...tagged, ...legacy].map((volume) => volume.VolumeId);
}

async function describeVolumes(client, key, value) {
  const volumes = [];
  let NextToken;
  do {
    const page = await call('DescribeVolumes', () =>
      client.send(
        new DescribeVolumesCommand({
          Filters: [
            { Name: `tag:${key}`, Values: [value] },
            { Name: 'status', Values: HELD_STATES },
          ],
          NextToken,
        }),
      ),
    );
    volumes.push(...(page.Volumes ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return volumes;
}

/** Of the instances the volumes are attached to, those EKS tagged with another cluster's name. */
async function nodesOfOtherClusters(client, volumes, cluster) {
  const ids = [...new Set(volumes.flatMap((v) => (v.Attachments ?? []).map((a) => a.InstanceId)))];
  const others = new Set();
  if (ids.length === 0) return others;
  let NextToken;
  do {
    // A filter, not InstanceIds: an instance that is gone is no error, just not listed.
    const page = await call('DescribeInstances', () =>
      client.send(
        new DescribeInstancesCommand({
          Filters: [{ Name: 'instance-id', Values: ids }],
          NextToken,
        }),
      ),
    );
    for (const instance of (page.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
      const owner = (instance.Tags ?? []).find((tag) => tag.Key === NODE_CLUSTER_TAG)?.Value;
      if (owner !== undefined && owner !== cluster) others.add(instance.InstanceId);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return others;
}

/** Runs an EC2 call, naming the operation on its error for the FAILED answer. */
async function call(operation, send) {
  try {
    return await send();
  } catch (error) {
    throw Object.assign(error, { operation });
  }
}

exports.heldVolumes = heldVolumes;
