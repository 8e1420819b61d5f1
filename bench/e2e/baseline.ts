/**
 * Phase 1 of `bench:e2e`: the children the controller would write for the networks (Secret,
 * headless Service, StatefulSet, from the controller's own `desired*` functions), created by
 * admin: what the apiserver, scheduler, StatefulSet controller and kwok take without it.
 */
import { randomBytes } from 'node:crypto';
import { credentialsHash, generateCredentials } from '../../controller/bitcoin/credentials';
import { desiredSecret } from '../../controller/reconcile/desired/secret';
import { desiredService } from '../../controller/reconcile/desired/service';
import { desiredStatefulSet } from '../../controller/reconcile/desired/stateful-set';
import { AdminApi } from '../../tools/testplane/lib/admin-api';
import { kubectl } from '../../tools/testplane/lib/kubectl';
import { startTestPlane } from '../../tools/testplane/plane';
import { createAll, FAKE_NODES, network, networkName, NETWORKS, NODES, NS } from './scale';
import { waitFor } from './wait-for';

async function readyPods(admin: AdminApi): Promise<number> {
  const pods = await admin.get<{
    items: { status?: { conditions?: { type: string; status: string }[] } }[];
  }>(`/api/v1/namespaces/${NS}/pods`);
  return pods.items.filter((p) =>
    p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  ).length;
}

/** How long until the apiserver accepted every child, and until every pod was Ready. */
export async function baseline(): Promise<{ acceptMs: number; readyMs: number }> {
  const plane = await startTestPlane({ nodes: FAKE_NODES });
  try {
    await kubectl(plane.kubeconfig, ['create', 'namespace', NS]);
    const admin = new AdminApi(plane.kubeconfig);
    const objects = Array.from({ length: NETWORKS }, (_, i) => {
      const net = network(i, NODES);
      net.metadata!.uid = `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`;
      const creds = generateCredentials(randomBytes);
      // No owner: the garbage collector would delete children of a network that does not exist.
      return [
        desiredSecret(net, creds),
        desiredService(net),
        desiredStatefulSet(net, {
          secretName: `${networkName(i)}-rpc`,
          rpcAuthSecretName: `${networkName(i)}-rpc`,
          hash: credentialsHash(creds),
        }),
      ].map((o) => ({ ...o, metadata: { ...o.metadata, ownerReferences: undefined } }));
    }).flat();
    const started = Date.now();
    await createAll(plane, objects);
    const acceptMs = Date.now() - started;
    await waitFor('baseline pods Ready', async () => (await readyPods(admin)) === NETWORKS * NODES);
    return { acceptMs, readyMs: Date.now() - started };
  } finally {
    await plane.stop();
  }
}
