/**
 * A managed node group on the test plane's kwok nodes. Create adopts the plane's nodes as the
 * group's, spread over its Availability Zones and labelled as EKS labels them. An update of the
 * version (or AMI release or launch template) replays EKS's rolling update:
 * - scale up: new nodes launched first, the larger of twice the number of AZs and
 *   maxUnavailable, spread over the AZs, until each is Ready;
 * - every old node marked unschedulable (and excluded from external load balancers);
 * - upgrade: old nodes drained maxUnavailable at a time (tools/rehearsal/standins/node-drain.ts),
 *   each then given the settle time EKS waits (60 s) and terminated;
 * - scale down: the group back to its size before, one surplus node at a time, drained the same
 *   way (the group's termination lifecycle hook drains it), then terminated.
 * EKS picks the old nodes at random; here they go in name order, so that runs compare.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/managed-node-update-behavior.html
 */
import type { AdminApi } from '../../testplane/lib/admin-api';
import { sleep } from '../../testplane/lib/process';
import type { RequestType } from '../events';
import type { StepRecord } from '../report';
import { DrainOutcome, drainNode, DrainSettings } from './node-drain';

export const NODEGROUP_LABEL = 'eks.amazonaws.com/nodegroup';
/** EKS labels each node with its AMI; the rehearsal's value names the minor and release. */
export const IMAGE_LABEL = 'eks.amazonaws.com/nodegroup-image';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
const EXCLUDE_FROM_LB = 'node.kubernetes.io/exclude-from-external-load-balancers';

export interface NodeGroupShape {
  readonly name: string;
  /** The AMI the group's nodes run, as the IMAGE_LABEL value. */
  readonly image: string;
  readonly zones: readonly string[];
}

export interface RollingUpdateSettings extends NodeGroupShape, DrainSettings {
  /** Old nodes drained at once: the group's updateConfig, a count or a share of the old nodes. */
  readonly maxUnavailable: number | { readonly percent: number };
  /** Between a node's drain and its termination (EKS: 60 s). */
  readonly settleMs: number;
  /** Instead of the Eviction API drain: only to show that the sampler catches a bad one. */
  readonly drain?: (api: AdminApi, node: string) => Promise<DrainOutcome>;
}

/** One rolling update: its steps (for the report and the critical path) and its drains. */
export interface RollingUpdateRecord {
  readonly steps: readonly StepRecord[];
  readonly waitsFor: (step: string) => readonly string[];
  readonly drains: readonly DrainOutcome[];
  readonly error?: string;
  readonly seconds: number;
}

interface Node {
  metadata: { name: string; labels?: Record<string, string> };
  spec?: { podCIDR?: string; unschedulable?: boolean };
  status?: { conditions?: { type: string; status: string }[] };
}

const READY_TIMEOUT_MS = 60_000;

export class NodeGroupStandIn {
  private launched = 0;

  constructor(
    private readonly api: AdminApi,
    /** The plane's pod range, 10.N.0.0/16: node i gets 10.N.i.0/24, as the plane's own. */
    private readonly podCidr: string,
  ) {}

  /** Create: the plane's nodes become the group's, round-robin over its zones. */
  async adopt(group: NodeGroupShape): Promise<void> {
    const nodes = await this.nodes();
    for (const [i, node] of nodes.entries()) {
      await this.api.mergePatch(`/api/v1/nodes/${node.metadata.name}`, {
        metadata: { labels: labelsOf(group, group.zones[i % group.zones.length]) },
      });
    }
  }

  async rollingUpdate(settings: RollingUpdateSettings): Promise<RollingUpdateRecord> {
    const started = Date.now();
    const steps: StepRecord[] = [];
    const waits = new Map<string, string[]>();
    const drains: DrainOutcome[] = [];
    const record = (
      id: string,
      event: RequestType,
      action: string,
      after: string[],
      from: number,
      error?: string,
    ) => {
      steps.push({
        logicalId: id,
        resourceType: action,
        event,
        startedAt: from,
        seconds: (Date.now() - from) / 1000,
        outcome: error === undefined ? 'succeeded' : 'failed',
        kubernetes: true,
        ...(error !== undefined ? { error } : {}),
      });
      waits.set(id, after);
    };
    const finish = (error?: string): RollingUpdateRecord => ({
      steps,
      waitsFor: (id) => waits.get(id) ?? [],
      drains,
      seconds: (Date.now() - started) / 1000,
      ...(error !== undefined ? { error } : {}),
    });
    const drain = settings.drain ?? ((api, node) => drainNode(api, node, settings));
    const drainAndTerminate = async (node: string, after: string[]): Promise<string> => {
      const from = Date.now();
      const outcome = await drain(this.api, node);
      drains.push(outcome);
      record(`drain ${node}`, 'Update', 'drain', after, from, outcome.error);
      if (outcome.error !== undefined) throw new Error(outcome.error);
      const terminating = Date.now();
      await sleep(settings.settleMs);
      await this.api.send('DELETE', `/api/v1/nodes/${node}`);
      record(`terminate ${node}`, 'Delete', 'terminate', [`drain ${node}`], terminating);
      return `terminate ${node}`;
    };

    // Node i has pod range 10.N.i.0/24: never one a node still has (or had, as far as we know).
    const indexes = (await this.nodes()).map((n) => indexOf(n.metadata.name));
    this.launched = Math.max(this.launched, ...indexes.map((i) => i + 1));
    const group = await this.nodes(settings.name);
    const old = group.filter((n) => n.metadata.labels?.[IMAGE_LABEL] !== settings.image);
    if (old.length === 0) return finish();
    const lanes =
      typeof settings.maxUnavailable === 'number'
        ? settings.maxUnavailable
        : Math.max(1, Math.floor((old.length * settings.maxUnavailable.percent) / 100));

    // Scale up.
    const count = Math.max(2 * settings.zones.length, lanes);
    const fresh = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const from = Date.now();
        const zone = settings.zones[i % settings.zones.length];
        const name = await this.launch(settings, zone);
        const error = await this.untilReady(name);
        record(`launch ${name}`, 'Create', 'launch', [], from, error);
        return { name, zone, error };
      }),
    );
    const failedLaunch = fresh.find((n) => n.error !== undefined);
    if (failedLaunch) return finish(failedLaunch.error);

    // Every old node unschedulable before the first drain.
    const cordoning = Date.now();
    for (const node of old) {
      await this.api.mergePatch(`/api/v1/nodes/${node.metadata.name}`, {
        metadata: { labels: { [EXCLUDE_FROM_LB]: 'true' } },
        spec: { unschedulable: true },
      });
    }
    record(
      'cordon old nodes',
      'Update',
      'cordon',
      fresh.map((n) => `launch ${n.name}`),
      cordoning,
    );

    // Upgrade: maxUnavailable lanes; a node waits for the one before it in its lane.
    const queue = old.map((n) => n.metadata.name).sort();
    let failure: string | undefined;
    const lane = async (): Promise<void> => {
      let after = 'cordon old nodes';
      for (let node = queue.shift(); node && !failure; node = queue.shift()) {
        try {
          after = await drainAndTerminate(node, [after]);
        } catch (err) {
          failure = (err as Error).message;
        }
      }
    };
    await Promise.all(Array.from({ length: lanes }, lane));
    if (failure !== undefined) return finish(failure);

    // Scale down to the size before, one node at a time, from the fullest zone.
    let after = steps.filter((s) => s.resourceType === 'terminate').map((s) => s.logicalId);
    const remaining = (await this.nodes(settings.name))
      .map((n) => ({ name: n.metadata.name, zone: n.metadata.labels?.[ZONE_LABEL] ?? '' }))
      .sort((a, b) => indexOf(a.name) - indexOf(b.name));
    while (remaining.length > group.length) {
      const victim = surplusNode(remaining);
      remaining.splice(remaining.indexOf(victim), 1);
      const from = Date.now();
      await this.api.mergePatch(`/api/v1/nodes/${victim.name}`, { spec: { unschedulable: true } });
      record(`scale down ${victim.name}`, 'Update', 'cordon', after, from);
      try {
        after = [await drainAndTerminate(victim.name, [`scale down ${victim.name}`])];
      } catch (err) {
        return finish((err as Error).message);
      }
    }
    return finish();
  }

  private async launch(group: NodeGroupShape, zone: string): Promise<string> {
    const index = this.launched++;
    // 10.N.255.0/24 holds the node IPs.
    if (index > 254) throw new Error(`no pod range left for node ${index}`);
    const name = `kwok-node-${index}`;
    const res = await this.api.send('POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: { 'kubernetes.io/hostname': name, type: 'kwok', ...labelsOf(group, zone) },
      },
      spec: { podCIDR: this.podCidr.replace(/\.0\.0\/16$/, `.${index}.0/24`) },
    });
    if (res.status !== 201) throw new Error(`launching node ${name}: ${res.status} ${res.body}`);
    return name;
  }

  private async untilReady(name: string): Promise<string | undefined> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const node = await this.api.get<Node>(`/api/v1/nodes/${name}`);
      if (node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
        return undefined;
      await sleep(200);
    }
    return `node ${name} not Ready after ${READY_TIMEOUT_MS / 1000}s`;
  }

  private async nodes(group?: string): Promise<Node[]> {
    const selector = group
      ? `?labelSelector=${encodeURIComponent(`${NODEGROUP_LABEL}=${group}`)}`
      : '';
    return (await this.api.get<{ items: Node[] }>(`/api/v1/nodes${selector}`)).items;
  }
}

function labelsOf(group: NodeGroupShape, zone: string): Record<string, string> {
  return { [NODEGROUP_LABEL]: group.name, [IMAGE_LABEL]: group.image, [ZONE_LABEL]: zone };
}

/** The plane names node i `kwok-node-<i>`; -1 for any other name. */
function indexOf(name: string): number {
  return Number(/^kwok-node-(\d+)$/.exec(name)?.[1] ?? -1);
}

/** The auto scaling group's choice on scale-in: in the zone with most nodes, the newest. */
function surplusNode<T extends { zone: string }>(nodes: readonly T[]): T {
  const perZone = new Map<string, T[]>();
  for (const node of nodes) perZone.set(node.zone, [...(perZone.get(node.zone) ?? []), node]);
  const fullest = [...perZone.values()].sort((a, b) => b.length - a.length)[0];
  return fullest[fullest.length - 1];
}
