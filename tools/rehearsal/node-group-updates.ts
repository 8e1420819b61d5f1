/**
 * `AWS::EKS::Nodegroup` in the rehearsal: its properties become the node group stand-in's shape
 * and update settings, and each rolling update runs watched: a disruption sampler over every pod
 * throughout, and the bitcoind pods' claims and volumes noted before it, to compare once the
 * cluster has converged again. Each update's record becomes a phase of the report.
 */
import { createHash } from 'node:crypto';
import type { AdminApi } from '../testplane/lib/admin-api';
import { DisruptionSampler } from './disruption-sampler';
import { propertiesChanged } from './events';
import { STAND_IN_ENV } from './intrinsics';
import type { Check, Phase } from './report';
import {
  NodeGroupShape,
  NodeGroupStandIn,
  RollingUpdateRecord,
  RollingUpdateSettings,
} from './standins/node-group';
import { VolumeSnapshot, volumeSnapshot, volumesKept } from './volume-claims';

type Properties = Readonly<Record<string, unknown>>;

/** EKS's own numbers, and how long the rehearsal waits between eviction tries. */
export interface NodeGroupTimings {
  /** EKS gives refused evictions 15 minutes, then fails or forces. */
  readonly evictionBoundMs: number;
  /** EKS waits 60 s between a node's drain and its termination. */
  readonly settleMs: number;
  /** EKS does not say; kubectl drain waits 5 s. */
  readonly retryMs: number;
}

export const EKS_TIMINGS: NodeGroupTimings = {
  evictionBoundMs: 15 * 60_000,
  settleMs: 60_000,
  retryMs: 5_000,
};

/** The properties whose change makes EKS replace every node: what the nodes boot from. */
const ROLLING_PROPERTIES = ['Version', 'ReleaseVersion', 'AmiType', 'LaunchTemplate'] as const;

interface Watched {
  readonly record: RollingUpdateRecord;
  readonly sampled: Check;
  readonly volumesBefore: VolumeSnapshot;
  readonly timings: NodeGroupTimings;
}

export class NodeGroupUpdates {
  private readonly standIn: NodeGroupStandIn;
  private watched: Watched[] = [];

  constructor(
    private readonly api: AdminApi,
    private readonly kubeconfig: string,
    podCidr: string,
    private readonly timings: NodeGroupTimings = EKS_TIMINGS,
  ) {
    this.standIn = new NodeGroupStandIn(api, podCidr);
  }

  create(logicalId: string, properties: Properties): Promise<void> {
    return this.standIn.adopt(shapeOf(logicalId, properties));
  }

  /** EKS's rolling update when what the nodes boot from changed; nothing otherwise. */
  async update(
    logicalId: string,
    properties: Properties,
    before: Properties,
    /** Only to show the sampler at work: a drain other than EKS's. */
    overrides: Pick<RollingUpdateSettings, 'drain'> = {},
  ): Promise<{ kubernetes: boolean; error?: string }> {
    if (!ROLLING_PROPERTIES.some((key) => propertiesChanged(before[key], properties[key])))
      return { kubernetes: false };
    const volumesBefore = await volumeSnapshot(this.kubeconfig);
    const sampler = new DisruptionSampler(this.api);
    await sampler.start();
    let record: RollingUpdateRecord | undefined;
    try {
      record = await this.standIn.rollingUpdate({
        ...shapeOf(logicalId, properties),
        ...this.timings,
        maxUnavailable: maxUnavailableOf(properties),
        force: String(properties.ForceUpdateEnabled) === 'true',
        ...overrides,
      });
    } finally {
      const sampled = sampler.stop();
      if (record) this.watched.push({ record, sampled, volumesBefore, timings: this.timings });
    }
    return { kubernetes: true, ...(record.error !== undefined ? { error: record.error } : {}) };
  }

  /**
   * A phase per rolling update since the last call, named after `label`, with its checks; call
   * it once the cluster has converged, so that the bitcoind pods are back.
   */
  async phases(label: string): Promise<Phase[]> {
    const done = this.watched;
    this.watched = [];
    const phases: Phase[] = [];
    for (const w of done) {
      const boundSeconds = w.timings.evictionBoundMs / 1000;
      const endless = w.record.drains.filter((d) => d.seconds > boundSeconds + 60);
      const checks: Check[] = [
        w.sampled,
        endless.length === 0
          ? { name: 'every drain ended', ok: true, detail: drainsSummary(w.record) }
          : {
              name: 'every drain ended',
              ok: false,
              detail: endless.map((d) => `${d.node} took ${d.seconds.toFixed(0)}s`).join(', '),
            },
        volumesKept(w.volumesBefore, await volumeSnapshot(this.kubeconfig)),
      ];
      phases.push({
        name: `rotation: ${label} (${w.record.seconds.toFixed(1)} s)`,
        steps: w.record.steps,
        checks,
        waitsFor: w.record.waitsFor,
      });
    }
    return phases;
  }
}

function drainsSummary(record: RollingUpdateRecord): string {
  return record.drains
    .map(
      (d) =>
        `${d.node} ${d.seconds.toFixed(1)}s, ${d.evicted} evicted, ${d.refusals} refused` +
        (d.forced.length > 0 ? `, ${d.forced.length} deleted by force` : ''),
    )
    .join('; ');
}

/** The `i`th zone of the stand-in region, as `Fn::GetAZs` gives them: the region plus a, b, c. */
export function standInZone(i: number): string {
  return `${STAND_IN_ENV.region}${'abcdef'[i]}`;
}

/**
 * The group's name, the AMI its nodes run (the minor, then a digest of the rest of what they
 * boot from) and its zones, one per subnet (stand-in names: the region plus a, b, c).
 */
export function shapeOf(logicalId: string, properties: Properties): NodeGroupShape {
  const subnets = Array.isArray(properties.Subnets) ? properties.Subnets.length : 0;
  if (subnets === 0) throw new Error(`${logicalId}: a node group needs Subnets`);
  const digest = createHash('sha256')
    .update(JSON.stringify(ROLLING_PROPERTIES.map((key) => properties[key] ?? null)))
    .digest('hex')
    .slice(0, 10);
  return {
    name: String(properties.NodegroupName ?? logicalId),
    image: `${String(properties.Version ?? 'cluster')}-${digest}`,
    zones: Array.from({ length: subnets }, (_, i) => standInZone(i)),
  };
}

/** updateConfig as a number of nodes, or a percentage of the group; EKS's default is 1 node. */
export function maxUnavailableOf(properties: Properties): number | { percent: number } {
  const config = (properties.UpdateConfig ?? {}) as Record<string, unknown>;
  if (config.MaxUnavailable !== undefined) return Number(config.MaxUnavailable);
  if (config.MaxUnavailablePercentage !== undefined)
    return { percent: Number(config.MaxUnavailablePercentage) };
  return 1;
}
