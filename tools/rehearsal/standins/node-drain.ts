/**
 * How a managed node group drains one node: every pod on it that a DaemonSet or the kubelet does
 * not own is evicted through the Eviction API, all at once; a refusal (429, a disruption budget
 * says no) is retried until the bound (EKS: 15 minutes); after it, the force setting decides:
 * off, the update fails with PodEvictionFailure; on, the pod is deleted, budget or not.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/managed-node-update-behavior.html
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/api-eviction/
 */
import type { AdminApi } from '../../testplane/lib/admin-api';
import { sleep } from '../../testplane/lib/process';

export interface DrainSettings {
  /** How long refusals are retried before force decides (EKS: 15 minutes). */
  readonly evictionBoundMs: number;
  /** Between two tries of a refused eviction. */
  readonly retryMs: number;
  /** After the bound: delete the pods a budget still protects (true) or fail (false). */
  readonly force: boolean;
}

export interface DrainOutcome {
  readonly node: string;
  readonly seconds: number;
  readonly evicted: number;
  /** 429s and other refusals, retried. */
  readonly refusals: number;
  /** Pods deleted past their budget because force was on. */
  readonly forced: readonly string[];
  /** Set when the drain failed: EKS's reason and the pod that kept it from ending. */
  readonly error?: string;
}

interface Pod {
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string }[];
  };
  status?: { phase?: string };
}

/** A pod that has left gets this long to vanish before the drain calls it stuck. */
const GONE_GRACE_MS = 60_000;

export async function drainNode(
  api: AdminApi,
  node: string,
  settings: DrainSettings,
): Promise<DrainOutcome> {
  const started = Date.now();
  const { items } = await api.get<{ items: Pod[] }>(
    `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`,
  );
  const pods = items.filter(
    (p) =>
      !p.metadata.ownerReferences?.some((o) => o.kind === 'DaemonSet') &&
      p.metadata.annotations?.['kubernetes.io/config.mirror'] === undefined &&
      p.status?.phase !== 'Succeeded' &&
      p.status?.phase !== 'Failed',
  );
  const deadline = started + settings.evictionBoundMs;
  const results = await Promise.all(pods.map((pod) => evict(api, pod, deadline, settings)));
  const failed = results.find((r) => r.error !== undefined);
  return {
    node,
    seconds: (Date.now() - started) / 1000,
    evicted: results.filter((r) => r.outcome === 'evicted').length,
    refusals: results.reduce((sum, r) => sum + r.refusals, 0),
    forced: results.filter((r) => r.outcome === 'deleted').map((r) => r.pod),
    ...(failed ? { error: failed.error } : {}),
  };
}

interface PodResult {
  readonly pod: string;
  readonly outcome: 'evicted' | 'deleted' | 'gone' | 'failed';
  readonly refusals: number;
  readonly error?: string;
}

async function evict(
  api: AdminApi,
  pod: Pod,
  deadline: number,
  settings: DrainSettings,
): Promise<PodResult> {
  const { name, namespace } = pod.metadata;
  const id = `${namespace}/${name}`;
  const podPath = `/api/v1/namespaces/${namespace}/pods/${name}`;
  let refusals = 0;
  for (;;) {
    const res = await api.send('POST', `${podPath}/eviction`, {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name, namespace },
    });
    if (res.status === 404) return { pod: id, outcome: 'gone', refusals };
    if (res.status === 200 || res.status === 201) {
      const error = await untilGone(api, podPath, pod.metadata.uid);
      return error
        ? { pod: id, outcome: 'failed', refusals, error }
        : { pod: id, outcome: 'evicted', refusals };
    }
    refusals++;
    if (Date.now() >= deadline) {
      const why = messageOf(res.body) ?? `HTTP ${res.status}`;
      if (!settings.force) {
        return {
          pod: id,
          outcome: 'failed',
          refusals,
          error: `PodEvictionFailure: ${id} was still refused after ${settings.evictionBoundMs / 1000}s and force is off: ${why}`,
        };
      }
      const deleted = await api.send('DELETE', podPath);
      if (deleted.status !== 200 && deleted.status !== 404) {
        return {
          pod: id,
          outcome: 'failed',
          refusals,
          error: `deleting ${id}: HTTP ${deleted.status}`,
        };
      }
      const error = await untilGone(api, podPath, pod.metadata.uid);
      return error
        ? { pod: id, outcome: 'failed', refusals, error }
        : { pod: id, outcome: 'deleted', refusals };
    }
    await sleep(settings.retryMs);
  }
}

/** Waits until the pod (this uid; a StatefulSet makes a new one of the same name) is gone. */
async function untilGone(api: AdminApi, podPath: string, uid: string): Promise<string | undefined> {
  const deadline = Date.now() + GONE_GRACE_MS;
  while (Date.now() < deadline) {
    const res = await api.send('GET', podPath);
    if (res.status === 404 || (JSON.parse(res.body) as Pod).metadata.uid !== uid) return undefined;
    await sleep(200);
  }
  return `${podPath} was evicted but still there after ${GONE_GRACE_MS / 1000}s`;
}

function messageOf(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { message?: string }).message;
  } catch {
    return undefined;
  }
}
