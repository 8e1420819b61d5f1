/**
 * What each resource type does in the rehearsal: the kubectl provider's custom resources go to
 * aws-cdk-lib's own handler, EKS add-ons to their stand-ins, the cluster seeds what EKS puts in a
 * new cluster (its creator's access entry too), access entries hold one per principal, the node
 * group adopts the plane's nodes and rolls them when what they boot from changes, the add-on
 * versions lookup answers stand-in defaults, the EBS-volumes waiter runs its handler's own choice
 * of volumes over the EBS stand-in's, CfnJson returns its value, and every other AWS resource is
 * an instant no-op (only AWS could do it).
 */
import type { AccessEntries } from './standins/access-entries';
import { ADDON_VERSIONS_TYPE, addonVersions } from './standins/addon-versions';
import { createAddon, deleteAddon, extraVolumeTagsOf } from './standins/addons';
import { fakeEc2, type TaggedVolume } from './standins/ec2-volumes';
import { seedEksCluster } from './standins/eks-seed';
import { customResourceEvent, RequestType } from './events';
import { HandlerEnvironment, runHandler } from './handler';
import type { NodeGroupUpdates } from './node-group-updates';
import type { StepOutcome } from './scheduler';
import { untilNoneLeft } from './until-none-left';

/** The provider's resource types, which all go to the one handler Lambda. */
export const KUBECTL_PROVIDER_TYPES = [
  'Custom::AWSCDK-EKS-KubernetesResource',
  'Custom::AWSCDK-EKS-HelmChart',
  'Custom::AWSCDK-EKS-KubernetesPatch',
  'Custom::AWSCDK-EKS-KubernetesObjectValue',
];
export const EBS_VOLUMES_RELEASED_TYPE = 'Custom::EbsVolumesReleased';
export const NODEGROUP_TYPE = 'AWS::EKS::Nodegroup';
export const ACCESS_ENTRY_TYPE = 'AWS::EKS::AccessEntry';

/** The types whose properties the rehearsal resolves and passes on; the rest are AWS no-ops. */
export const RESOLVED_TYPES: ReadonlySet<string> = new Set([
  ...KUBECTL_PROVIDER_TYPES,
  'AWS::EKS::Addon',
  EBS_VOLUMES_RELEASED_TYPE,
  NODEGROUP_TYPE,
  ACCESS_ENTRY_TYPE,
  ADDON_VERSIONS_TYPE,
  'Custom::AWSCDKCfnJson',
]);

export interface ResourceStep {
  readonly event: RequestType;
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly oldProperties?: Readonly<Record<string, unknown>>;
  readonly physicalId?: string;
  readonly requestId: string;
}

/** What the EBS CSI driver stand-in offers the rehearsal. */
export interface EbsVolumes {
  /** The driver runs while its add-on exists, tagging volumes as its configuration asks. */
  start(extraVolumeTags: Readonly<Record<string, string>>): void;
  stop(): Promise<void>;
  /** The volumes that exist, with their tags, whether or not a PV still points at them. */
  volumes(): readonly TaggedVolume[];
}

export interface ExecutorContext {
  readonly handler: HandlerEnvironment;
  /** Where HelmChart events point `Repository` (the rehearsal's chart repository). */
  readonly chartRepositoryUrl: string;
  readonly ebs: EbsVolumes;
  /** How long the EBS-volumes waiter waits, as its own Lambda would. */
  readonly volumesReleasedTimeoutMs: number;
  readonly nodeGroups: NodeGroupUpdates;
  readonly accessEntries: AccessEntries;
}

export interface StepResult extends StepOutcome {
  /** A custom resource's returned attributes (Fn::GetAtt of later resources). */
  readonly data?: Readonly<Record<string, unknown>>;
  /** The handler's log, kept for the report's files. */
  readonly log?: string;
}

export async function execute(step: ResourceStep, ctx: ExecutorContext): Promise<StepResult> {
  const kubeconfig = ctx.handler.kubeconfig;
  if (KUBECTL_PROVIDER_TYPES.includes(step.type)) {
    const properties =
      step.type === 'Custom::AWSCDK-EKS-HelmChart'
        ? withRepository(step.properties, ctx.chartRepositoryUrl)
        : step.properties;
    const oldProperties =
      step.oldProperties && step.type === 'Custom::AWSCDK-EKS-HelmChart'
        ? withRepository(step.oldProperties, ctx.chartRepositoryUrl)
        : step.oldProperties;
    const event = customResourceEvent({
      requestType: step.event,
      logicalId: step.logicalId,
      resourceType: step.type,
      properties,
      ...(oldProperties ? { oldProperties } : {}),
      ...(step.physicalId ? { physicalId: step.physicalId } : {}),
      requestId: step.requestId,
    });
    const result = await runHandler(event, ctx.handler);
    return {
      kubernetes: true,
      log: result.log,
      ...(result.error !== undefined ? { error: result.error } : {}),
    };
  }
  switch (step.type) {
    case 'AWS::EKS::Cluster':
      if (step.event === 'Create') {
        await seedEksCluster(kubeconfig);
        ctx.accessEntries.createCluster(ctx.handler.clusterName);
      }
      if (step.event === 'Delete') ctx.accessEntries.deleteCluster(ctx.handler.clusterName);
      return { kubernetes: step.event === 'Create' };
    case ACCESS_ENTRY_TYPE:
      return accessEntry(step, ctx.accessEntries);
    case 'AWS::EKS::Addon':
      return addon(step, ctx);
    case NODEGROUP_TYPE:
      if (step.event === 'Create') {
        await ctx.nodeGroups.create(step.logicalId, step.properties);
        return { kubernetes: true };
      }
      if (step.event === 'Update' && step.oldProperties)
        return ctx.nodeGroups.update(step.logicalId, step.properties, step.oldProperties);
      return { kubernetes: false };
    case EBS_VOLUMES_RELEASED_TYPE:
      if (step.event === 'Delete') return volumesReleased(ctx, step.properties);
      return { kubernetes: false };
    case ADDON_VERSIONS_TYPE:
      return step.event === 'Delete'
        ? { kubernetes: false }
        : { kubernetes: false, data: addonVersions(step.properties) };
    case 'Custom::AWSCDKCfnJson':
      return { kubernetes: false, data: { Value: JSON.parse(String(step.properties.Value)) } };
    default:
      return { kubernetes: false };
  }
}

function withRepository(
  properties: Readonly<Record<string, unknown>>,
  url: string,
): Record<string, unknown> {
  return { ...properties, Repository: url };
}

async function addon(step: ResourceStep, ctx: ExecutorContext): Promise<StepResult> {
  const name = String(step.properties.AddonName);
  const kubeconfig = ctx.handler.kubeconfig;
  const isEbs = name === 'aws-ebs-csi-driver';
  if (step.event === 'Delete') {
    if (isEbs) await ctx.ebs.stop();
    await deleteAddon(kubeconfig, name, {
      preserve: String(step.properties.PreserveOnDelete) === 'true',
    });
  } else {
    const values = step.properties.ConfigurationValues;
    const version = step.properties.AddonVersion;
    const configuration = await createAddon(
      kubeconfig,
      name,
      values === undefined ? undefined : String(values),
      version === undefined ? undefined : String(version),
    );
    if (isEbs) ctx.ebs.start(extraVolumeTagsOf(configuration));
  }
  return { kubernetes: true };
}

/**
 * An access entry's event as EKS sees it. A new PrincipalArn replaces the entry, the new one
 * first; the old one is deleted here at once, not in the clean-up phase as CloudFormation does, so
 * another entry taking the old principal in the same deploy passes here and fails on AWS.
 */
function accessEntry(step: ResourceStep, entries: AccessEntries): StepResult {
  const cluster = String(step.properties.ClusterName);
  const principal = String(step.properties.PrincipalArn);
  const before = step.oldProperties?.PrincipalArn;
  if (step.event === 'Delete') {
    entries.delete(cluster, principal, step.logicalId);
    return { kubernetes: false };
  }
  if (step.event === 'Update' && String(before) === principal) return { kubernetes: false };
  const error = entries.create(cluster, principal, step.logicalId);
  if (error !== undefined) return { kubernetes: false, error };
  if (step.event === 'Update') entries.delete(cluster, String(before), step.logicalId);
  return { kubernetes: false };
}

/** The stack's own waiter code, which Lambda runs as it is (plain CommonJS, no types). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { heldVolumes } = require('../../lib/handlers/volume-release.js') as {
  heldVolumes: (
    ec2: ReturnType<typeof fakeEc2>,
    properties: Readonly<Record<string, unknown>>,
  ) => Promise<string[]>;
};

/**
 * Waits, as the stack's waiter does on delete, until none of the cluster's volumes is left: the
 * handler's own `heldVolumes` decides which those are, asking a fake EC2 over the stand-in's
 * volumes.
 */
async function volumesReleased(
  ctx: ExecutorContext,
  properties: Readonly<Record<string, unknown>>,
): Promise<StepResult> {
  const ec2 = fakeEc2(() => ctx.ebs.volumes());
  const left = await untilNoneLeft(
    () => heldVolumes(ec2, properties),
    ctx.volumesReleasedTimeoutMs,
  );
  if (left.length === 0) return { kubernetes: true };
  return {
    kubernetes: true,
    error: `EBS volumes still exist after ${ctx.volumesReleasedTimeoutMs / 1000}s: ${left.join(', ')}`,
  };
}
