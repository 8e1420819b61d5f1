/**
 * The controller process: wiring only. Flags → kubeconfig → informers → controller and workers,
 * health server; SIGTERM drains the queue and exits.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { informerListers, Informers, makeInformers, ClientNodeKubeApi } from './client';
import { BitcoinNetworkController } from './controller';
import { ControllerMetrics, HealthServer } from './health';
import { createLogger } from './log';
import { ControllerProcessOptions, parseOptions, USAGE } from './options';
import { MapFileResolver, PodIpResolver, UnmappedPodResolver } from './resolver';
import { JsonRpcClient } from './rpc';

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
    },
    'starting bitcoin-controller',
  );

  const rpc = new JsonRpcClient({ timeoutMs: options.rpcTimeoutMs });
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
  // The handlers run only after start(), when `ctl` and `metrics` exist.
  const informers: Informers = makeInformers(kc, logger, {
    network: (_verb, obj) => ctl.enqueueNetwork(obj),
    child: (_verb, obj) => ctl.enqueueOwner(obj),
  });
  const ctl = new BitcoinNetworkController({
    api: new ClientNodeKubeApi(kc),
    listers: informerListers(informers),
    rpc,
    resolver,
    logger,
    resyncMs: options.resyncSeconds * 1000,
    onSync: (outcome, seconds) => metrics.observe(outcome, seconds),
  });
  const metrics = new ControllerMetrics(() => ctl.queue.len());

  const all = Object.values(informers);
  let stopping = false;
  const ready = () => !stopping && all.every((i) => i.hasSynced());
  const health = new HealthServer(ready, metrics);
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
    await ctl.shutdown();
    rpc.close();
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
  logger.info('caches synced; starting workers');
  ctl.start(options.workers);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', msg: 'controller failed', err: String(err) })}\n`,
  );
  process.exit(1);
});
