/**
 * The controller process: wiring only. Flags → kubeconfig → informers (warm on every replica) →
 * leader election → controller and workers on the leader only; health server; SIGTERM drains the
 * queue, releases the Lease and exits.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import {
  ApiClients,
  ClientNodeKubeApi,
  ClientNodeLeaseApi,
  informerListers,
  Informers,
  makeInformers,
} from './client';
import { BitcoinNetworkController } from './controller';
import { Check, ControllerMetrics, HealthServer } from './health';
import { SharedAgents } from './keep-alive';
import { LeaderElector } from './leader';
import { createLogger } from './log';
import { meteredApi, MeteredRpc } from './metered';
import { ControllerProcessOptions, ENV, parseOptions, USAGE } from './options';
import { WorkQueue } from './queue';
import { MapFileResolver, PodIpResolver, UnmappedPodResolver } from './resolver';
import { JsonRpcClient } from './rpc';

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
  const informers: Informers = makeInformers(clients, logger, {
    network: (_verb, obj) => ctl.enqueueNetwork(obj),
    child: (_verb, obj) => ctl.enqueueOwner(obj),
    restarted: (name) => metrics.informerRestarted(name),
  });
  const ctl = new BitcoinNetworkController({
    api: meteredApi(new ClientNodeKubeApi(clients), metrics),
    listers: informerListers(informers),
    rpc,
    resolver,
    logger,
    queue,
    resyncMs: options.resyncSeconds * 1000,
    onSync: (outcome, seconds) => metrics.observe(outcome, seconds),
    onRetry: () => metrics.retried(),
  });

  let working = false;
  const startWorkers = () => {
    working = true;
    ctl.start(options.workers);
  };
  let elector: LeaderElector | undefined;
  if (options.leaderElect) {
    const identity = `${process.env[ENV.podName] || os.hostname()}_${randomBytes(4).toString('hex')}`;
    elector = new LeaderElector({
      api: meteredApi(new ClientNodeLeaseApi(clients), metrics),
      namespace: leaseNamespace(options),
      identity,
      logger,
      onStartedLeading: () => {
        metrics.setLeader(true);
        logger.info({ identity, workers: options.workers }, 'leading: starting workers');
        startWorkers();
      },
      onStoppedLeading: () => {
        // Another replica may already be writing: stop at once, in-flight passes included.
        // The container restarts and campaigns again as a standby.
        metrics.setLeader(false);
        queue.shutDown();
        logger.fatal({ identity }, 'leader election lost: exiting');
        logger.flush();
        process.exit(1);
      },
    });
  }

  const all = Object.values(informers);
  let stopping = false;
  const ready = (): Check => {
    if (stopping) return { ok: false, reason: 'shutting down' };
    const waiting = all.filter((i) => !i.hasSynced()).length;
    if (waiting > 0) return { ok: false, reason: `${waiting} informer(s) not synced` };
    const state = elector?.getState();
    if (state === 'lost') return { ok: false, reason: 'leader election lost' };
    return { ok: true };
  };
  const live = (): Check => {
    const stuck = Object.values(informers)
      .map((i) => i.health())
      .filter((h) => !h.ok);
    return stuck.length === 0
      ? { ok: true }
      : { ok: false, reason: stuck.map((h) => h.reason).join('; ') };
  };
  const health = new HealthServer({ ready, live, metrics });
  if (options.healthPort > 0) {
    const port = await health.listen(options.healthPort, options.healthBind);
    logger.info({ port, bind: options.healthBind }, 'health server listening');
  }

  const shutdown = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting at once');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: draining the work queue');
    await Promise.all(all.map((i) => i.stop()));
    // A standby's queue holds keys no worker will take: drop them rather than wait.
    if (working) await ctl.shutdown();
    else queue.shutDown();
    // Only once no pass is in flight: then a standby may take over at once.
    await elector?.release();
    metrics.setLeader(false);
    rpcClient.close();
    agents.destroy();
    await health.close();
    logger.info('stopped');
    logger.flush();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await Promise.all(all.map((i) => i.start()));
  await Promise.all(all.map((i) => i.whenSynced()));
  if (stopping) return;
  if (elector) {
    logger.info({ identity: elector.identity }, 'caches synced; campaigning for the leader lease');
    elector.start();
  } else {
    logger.info('caches synced; leader election off: starting workers');
    metrics.setLeader(true);
    startWorkers();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', msg: 'controller failed', err: String(err) })}\n`,
  );
  process.exit(1);
});
