/**
 * The controller process: wiring only. Flags → kubeconfig → clients, informers, controller and
 * leader election; `runtime/lifecycle.ts` starts and stops them in order.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { ENV } from './api';
import { MapFileResolver, PodIpResolver, UnmappedPodResolver } from './bitcoin/resolver';
import { JsonRpcClient } from './bitcoin/rpc';
import { ApiClients } from './kube/api-clients';
import { clientNodeKubeApi } from './kube/client';
import { informerListers, Informers, makeInformers } from './kube/informers';
import { SharedAgents } from './kube/keep-alive';
import { ClientNodeLeaseApi } from './kube/lease-client';
import { BitcoinNetworkController } from './runtime/controller';
import { ControllerMetrics } from './runtime/health';
import { LeaderElector } from './runtime/leader';
import { Lifecycle } from './runtime/lifecycle';
import { createLogger } from './runtime/log';
import { meteredApi, MeteredRpc } from './runtime/metered';
import { ControllerProcessOptions, parseOptions, USAGE } from './runtime/options';
import { WorkQueue } from './runtime/queue';

const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** The Lease's namespace: the flag or $POD_NAMESPACE, else the pod's service account namespace. */
function leaseNamespace(options: ControllerProcessOptions): string {
  if (options.leaderElectionNamespace) return options.leaderElectionNamespace;
  try {
    return fs.readFileSync(SERVICE_ACCOUNT_NAMESPACE_FILE, 'utf8').trim();
  } catch {
    throw new Error(
      `--leader-election-namespace is required with --leader-elect outside a pod (or set ${ENV.podNamespace})`,
    );
  }
}

function loadKubeConfig(options: ControllerProcessOptions): { kc: KubeConfig; source: string } {
  const kc = new KubeConfig();
  if (options.kubeconfig) {
    kc.loadFromFile(options.kubeconfig);
    return { kc, source: options.kubeconfig };
  }
  if (process.env.KUBERNETES_SERVICE_HOST) {
    kc.loadFromCluster();
    return { kc, source: 'in-cluster' };
  }
  kc.loadFromDefault();
  return { kc, source: 'default' };
}

async function main(): Promise<void> {
  let options: ControllerProcessOptions;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  const logger = createLogger(options.logLevel);
  const { kc, source } = loadKubeConfig(options);
  logger.info(
    {
      kubeconfig: source,
      cluster: kc.getCurrentCluster()?.server,
      workers: options.workers,
      resyncSeconds: options.resyncSeconds,
      rpcTimeoutMs: options.rpcTimeoutMs,
      rpcAddressMap: options.rpcAddressMap,
      rpcAddressMapStrict: options.rpcAddressMapStrict,
      leaderElect: options.leaderElect,
      namespaces: options.namespaces.length > 0 ? options.namespaces : 'all',
    },
    'starting bitcoin-controller',
  );

  const queue = new WorkQueue();
  const metrics = new ControllerMetrics(queue);
  const rpcClient = new JsonRpcClient({ timeoutMs: options.rpcTimeoutMs });
  const rpc = new MeteredRpc(rpcClient, metrics);
  const resolver = options.rpcAddressMap
    ? new MapFileResolver(
        options.rpcAddressMap,
        options.rpcAddressMapStrict
          ? new UnmappedPodResolver(options.rpcAddressMap)
          : new PodIpResolver(),
        (err) =>
          logger.warn({ err, file: options.rpcAddressMap }, 'could not reload the RPC address map'),
      )
    : new PodIpResolver();

  // The informers' handlers need the controller, and the controller reads the informers' caches.
  // The handlers run only after start(), when `ctl` exists. On a standby they fill the queue,
  // which no worker takes from until this process leads.
  // One pool of keep-alive connections to the apiserver for every API call of this process.
  const agents = new SharedAgents();
  const clients = new ApiClients(kc, agents);
  const informers: Informers = makeInformers(
    clients,
    logger,
    {
      network: (_verb, obj) => ctl.enqueueNetwork(obj),
      child: (_verb, obj) => ctl.enqueueOwner(obj),
      restarted: (name) => metrics.informerRestarted(name),
    },
    options.namespaces,
  );
  const ctl = new BitcoinNetworkController({
    api: meteredApi(clientNodeKubeApi(clients), metrics),
    listers: informerListers(informers),
    rpc,
    resolver,
    logger,
    queue,
    resyncMs: options.resyncSeconds * 1000,
    onSync: (outcome, seconds) => metrics.observe(outcome, seconds),
    onRetry: () => metrics.retried(),
  });

  const lifecycle = new Lifecycle({
    informers: Object.values(informers),
    controller: ctl,
    metrics,
    logger,
    workers: options.workers,
    healthPort: options.healthPort,
    healthBind: options.healthBind,
    closeConnections: () => {
      rpcClient.close();
      agents.destroy();
    },
  });
  if (options.leaderElect) {
    const identity = `${process.env[ENV.podName] || os.hostname()}_${randomBytes(4).toString('hex')}`;
    lifecycle.useLeaderElection(
      new LeaderElector({
        api: meteredApi(new ClientNodeLeaseApi(clients), metrics),
        namespace: leaseNamespace(options),
        identity,
        logger,
        onStartedLeading: () => lifecycle.startedLeading(identity),
        // The container restarts and campaigns again as a standby.
        onStoppedLeading: () => lifecycle.lostLeadership(identity),
      }),
    );
  }
  await lifecycle.run();
}

main().catch((err: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', msg: 'controller failed', err: String(err) })}\n`,
  );
  process.exit(1);
});
