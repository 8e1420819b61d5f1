/**
 * What the operator's end-to-end suites and benchmark run around the controller process
 * (controller-process.ts): the controller's account, and a pod tracker that gives each network
 * pod a fake bitcoind on its pod IP, inside a network namespace of tools/netns, where pod IPs are
 * local.
 */
import type { V1EnvVar } from '@kubernetes/client-node';
import { RPC_AUTH_ENV } from '../../controller/reconcile/desired/stateful-set';
import { requireNetworkNamespace } from '../netns/detect';
import { FakeBitcoind } from './fake-bitcoind';
import { CHILD_SELECTOR, CONTROLLER_NAME, CONTROLLER_NAMESPACE } from '../../controller/api';
import { AdminApi } from '../testplane/lib/admin-api';
import { sleep } from '../testplane/lib/process';
import { TestPlane } from '../testplane/plane';

export { CONTROLLER_NAMESPACE };
/** The chart's ServiceAccount, which the controller runs as. */
export const CONTROLLER_SA = CONTROLLER_NAME;
export const CONTROLLER_USER = `system:serviceaccount:${CONTROLLER_NAMESPACE}:${CONTROLLER_SA}`;

interface PodList {
  items: {
    metadata: { name: string; namespace: string; uid: string };
    spec?: { containers: { env?: V1EnvVar[] }[] };
    status?: { podIP?: string };
  }[];
}

/**
 * A key of a Secret, decoded; undefined while the Secret or the key is missing. One GET when a
 * pod is first seen, rather than a list of every Secret (Helm's releases are large) each poll.
 */
async function secretKey(
  api: AdminApi,
  namespace: string,
  name: string,
  key: string,
): Promise<string | undefined> {
  const secret = await api
    .get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${namespace}/secrets/${name}`)
    .catch(() => undefined);
  const b64 = secret?.data?.[key];
  return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8');
}

/**
 * Polls the network pods as admin and keeps a fake bitcoind node on each pod's IP. Like a kubelet, it resolves the pod's `-rpcauth` variable (a value, or a key of a Secret)
 * once, when it first sees the pod, and the node keeps that line for the pod's life: new
 * credentials reach bitcoind only through new pods. Until a pod's node listens (or while its
 * Secret is missing, when a real container could not start), calls to it are refused and the
 * controller retries, as with a bitcoind still starting.
 */
export class PodTracker {
  private timer?: Promise<void>;
  private stopped = false;
  /** The `-rpcauth` line each pod started with, by pod uid. */
  private readonly started = new Map<string, string>();

  constructor(
    private readonly plane: TestPlane,
    private readonly fake: FakeBitcoind,
    private readonly periodMs = 200,
  ) {
    // Outside one, pod IPs cannot be bound, and the controller's calls would leave the machine.
    requireNetworkNamespace(plane.podCidr, '`tsx tools/netns/run.ts -- <command>`');
  }

  start(): void {
    const api = new AdminApi(this.plane.kubeconfig);
    this.timer = (async () => {
      while (!this.stopped) {
        // The apiserver is down in fault tests: keep the last state and try again.
        await this.poll(api).catch(() => undefined);
        await sleep(this.periodMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.timer;
  }

  private async poll(api: AdminApi): Promise<void> {
    const pods = await api.get<PodList>(
      `/api/v1/pods?labelSelector=${encodeURIComponent(CHILD_SELECTOR)}`,
    );
    const live = new Set<string>();
    const uids = new Set<string>();
    for (const pod of pods.items) {
      const { namespace, uid } = pod.metadata;
      uids.add(uid);
      const ip = pod.status?.podIP;
      if (!ip) continue;
      let rpcauth = this.started.get(uid);
      if (rpcauth === undefined) {
        const env = pod.spec?.containers.flatMap((c) => c.env ?? []);
        const auth = env?.find((e) => e.name === RPC_AUTH_ENV);
        const ref = auth?.valueFrom?.secretKeyRef;
        rpcauth = ref ? await secretKey(api, namespace, ref.name ?? '', ref.key) : auth?.value;
        if (rpcauth === undefined) continue;
        this.started.set(uid, rpcauth);
      }
      const key = `${namespace}/${pod.metadata.name}`;
      await this.fake.setNode(ip, { id: uid, pod: key, rpcauth });
      live.add(ip);
    }
    for (const uid of this.started.keys()) if (!uids.has(uid)) this.started.delete(uid);
    for (const address of this.fake.addresses()) {
      if (!live.has(address)) await this.fake.removeNode(address);
    }
  }
}
