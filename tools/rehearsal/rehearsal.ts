/**
 * The whole rehearsal on a fresh test plane: create the stack (from an earlier version's template
 * when asked, then upgrade it to the current one), let it converge (the controller runs as its
 * chart says, fake bitcoinds answer at the pod IPs), deploy each change of the update table,
 * destroy, and list what outlives the cluster.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONTROLLER_NAME, CONTROLLER_NAMESPACE } from '../../controller/api';
import { FakeBitcoind } from '../bitcoin/fake-bitcoind';
import { ControllerProcess } from '../bitcoin/controller-process';
import { PodTracker } from '../bitcoin/operator-harness';
import { adminApiOf } from '../testplane/lib/admin-api';
import { TestPlane, startTestPlane } from '../testplane/plane';
import { createPki } from '../testplane/lib/pki';
import { AdmissionStandIn } from './standins/admission';
import { AggregatedApiStandIn } from './standins/aggregated-apis';
import { startChartRepository } from './standins/chart-repository';
import { AccessEntries } from './standins/access-entries';
import { EbsCsiDriverStandIn } from './standins/ebs-csi-driver';
import { EKS_SEED } from './standins/eks-seed';
import { LoadBalancerControllerStandIn } from './standins/load-balancers';
import { keyOf, listObjects, ObjectKey, objectUids, without } from './cluster-objects';
import { afterClusterDeletion, ebsVolumeHolders, loadBalancerHolders } from './cluster-deletion';
import { controllerFromChart } from './controller-from-chart';
import { deploymentsAvailable, networksMeshed } from './converge';
import { DisruptionSampler } from './disruption-sampler';
import type { EarlierTemplate } from './earlier-template';
import { EbsVolumes, ExecutorContext, KUBECTL_PROVIDER_TYPES } from './executors';
import { deploy, destroy, StackState } from './lifecycle';
import { kubectlLayerOf } from './kubectl-layer-of';
import { manifestMatchesCluster } from './manifest-drift';
import { EKS_TIMINGS, NodeGroupTimings, NodeGroupUpdates } from './node-group-updates';
import { listStorage, templateObjects, nothingLost, storedObjects } from './kept-objects';
import { everyObjectKept } from './kept-uids';
import type { Check, Phase, RehearsalReport } from './report';
import { CfnTemplate, synthTemplate } from './template';
import { applyChange, ConfigChange } from './update-table';

export interface RehearsalOptions {
  /** `-c key=value` overrides on top of cdk.json. */
  readonly context: Readonly<Record<string, string>>;
  readonly workDir: string;
  readonly updates: readonly ConfigChange[];
  /**
   * Create the stack from this template, then upgrade it to the current one before the updates.
   * @default - the stack is created from the current template
   */
  readonly from?: EarlierTemplate;
  /**
   * Makes the template for a context instead of synthesising it (bad-input tests); `deployed` is
   * the earlier template of an upgrade, which a synth with credentials learns from.
   */
  readonly template?: (
    context: Readonly<Record<string, string>>,
    deployed?: CfnTemplate,
  ) => CfnTemplate;
  readonly convergeTimeoutMs?: number;
  /** A node group update's bounds and waits; @default EKS_TIMINGS (EKS's own) */
  readonly nodeGroupTimings?: NodeGroupTimings;
  /** A plane to rehearse on (left running); @default - a fresh one, stopped at the end */
  readonly plane?: TestPlane;
  /**
   * Acts on the cluster before each update, as something outside the stack would (an HPA
   * scaling), and returns the checks to run once the update is deployed, which join its own.
   * @default - nothing
   */
  readonly aroundUpdate?: (change: ConfigChange, kubeconfig: string) => Promise<UpdateChecks>;
  readonly log?: (line: string) => void;
}

/** The checks {@link RehearsalOptions.aroundUpdate} leaves for after the update. */
export type UpdateChecks = () => Promise<Check[]>;

export async function rehearse(options: RehearsalOptions): Promise<RehearsalReport> {
  const log = options.log ?? ((line: string) => process.stderr.write(`rehearsal: ${line}\n`));
  const synth = options.template ?? synthTemplate;
  const timeout = options.convergeTimeoutMs ?? 120_000;
  fs.mkdirSync(options.workDir, { recursive: true });
  log(`synthesising with ${JSON.stringify(options.context)}`);
  // What a synth with credentials learns from the stack deployed before the upgrade stays
  // recorded in cdk.context.json for every later one (bin/app.ts).
  const synthesise = (context: Readonly<Record<string, string>>): CfnTemplate =>
    synth(context, options.from?.template);
  let template = synthesise(options.context);
  const first = options.from?.template ?? template;
  if (!options.plane) log('starting the test plane');
  const plane = options.plane ?? (await startTestPlane());
  const fake = new FakeBitcoind();
  const tracker = new PodTracker(plane, fake);
  // The rehearsal's own CA: helm trusts it for the chart repository, the webhooks' caBundle is it.
  const ca = createPki(path.join(options.workDir, 'ca'));
  // An upgrade installs the earlier template's releases, then the current one's.
  const repository = await startChartRepository(
    [...helmReleasesOf(first), ...helmReleasesOf(template)],
    ca,
  );
  const admission = new AdmissionStandIn(plane.kubeconfig, ca);
  const aggregated = new AggregatedApiStandIn(plane.kubeconfig, ca);
  const loadBalancers = new LoadBalancerControllerStandIn(plane.kubeconfig, {
    clusterName: clusterNameOf(first),
  });
  const driver = new EbsCsiDriverStandIn(plane.kubeconfig, {
    clusterName: clusterNameOf(first),
  });
  const ebs: EbsVolumes = {
    start: (extraVolumeTags) => driver.start(extraVolumeTags),
    stop: () => driver.stop(),
    volumes: () => driver.volumes(),
  };
  const nodeGroups = new NodeGroupUpdates(
    adminApiOf(plane.kubeconfig),
    plane.kubeconfig,
    plane.podCidr,
    options.nodeGroupTimings ?? EKS_TIMINGS,
  );
  let controller: ControllerProcess | undefined;
  const phases: Phase[] = [];
  const notes = options.from
    ? [
        `the controller is today's code (controller/main.ts) run with the args and env of the deployed chart's Deployment: ${options.from.label}'s until the upgrade, the current one's after it`,
      ]
    : [];
  /** (Re)starts the controller as the operator chart's Deployment in the cluster says. */
  const startController = async (): Promise<void> => {
    await controller?.stop();
    controller = new ControllerProcess(
      await controllerFromChart(
        plane,
        CONTROLLER_NAMESPACE,
        CONTROLLER_NAME,
        path.join(options.workDir, 'controller.log'),
      ),
    );
    await controller.start();
  };
  try {
    const baseline = await listObjects(plane.kubeconfig);
    tracker.start();
    // Each acts only once what it stands in for is in the cluster (a webhook, an APIService, the LBC).
    admission.start();
    aggregated.start();
    loadBalancers.start();
    let ctx: ExecutorContext = {
      handler: {
        kubeconfig: plane.kubeconfig,
        clusterName: clusterNameOf(first),
        workDir: path.join(options.workDir, 'handler'),
        caFile: ca.caCert,
        layer: kubectlLayerOf(first),
      },
      chartRepositoryUrl: repository.url,
      ebs,
      volumesReleasedTimeoutMs: 120_000,
      nodeGroups,
      accessEntries: new AccessEntries(),
    };
    const state = new StackState();
    log('create');
    phases.push(await deploy(state, first, 'create', ctx));
    if (ok(phases)) {
      log('converge');
      await startController();
      phases.push({
        name: 'converge',
        steps: [],
        checks: await convergence(plane, fake, timeout),
        waitsFor: () => [],
      });
    }
    if (options.from && ok(phases)) {
      const name = `upgrade from ${options.from.label}`;
      log(name);
      const earlier = templateObjects(manifestsOf(state));
      const before = storedObjects(await listStorage(plane.kubeconfig));
      const uidsBefore = await objectUids(plane.kubeconfig);
      ctx = { ...ctx, handler: { ...ctx.handler, layer: kubectlLayerOf(template) } };
      const sampler = new DisruptionSampler(adminApiOf(plane.kubeconfig));
      await sampler.start();
      const upgrade = await deploy(state, template, name, ctx);
      const checks: Check[] = [];
      if (ok([upgrade])) {
        checks.push(
          ...(await manifestChecks(plane, state)),
          await deploymentsAvailable(plane.kubeconfig, timeout),
        );
        // The operator chart's Deployment has rolled to the current chart's args.
        await startController();
        checks.push(await networksMeshed(plane.kubeconfig, fake, timeout));
      }
      // After a failed step too: what the steps that ran deleted is lost all the same.
      const current = templateObjects(manifestsOf(state));
      checks.push(
        sampler.stop(),
        nothingLost({
          before,
          after: storedObjects(await listStorage(plane.kubeconfig)),
          earlier,
          current,
        }),
        everyObjectKept({
          before: uidsBefore,
          after: await objectUids(plane.kubeconfig),
          earlier: earlier.keys,
          current: current.keys,
        }),
      );
      phases.push(
        { ...upgrade, checks: [...upgrade.checks, ...checks] },
        ...(await nodeGroups.phases(name)),
      );
    }
    let context = options.context;
    for (const change of ok(phases) ? options.updates : []) {
      context = applyChange(context, change);
      log(`update: ${change.label}`);
      template = synthesise(context);
      ctx = { ...ctx, handler: { ...ctx.handler, layer: kubectlLayerOf(template) } };
      const afterUpdate = await options.aroundUpdate?.(change, plane.kubeconfig);
      const phase = await deploy(state, template, `update: ${change.label}`, ctx);
      const checks = ok([phase])
        ? [
            ...(await manifestChecks(plane, state)),
            ...(await convergence(plane, fake, timeout)),
            ...((await afterUpdate?.()) ?? []),
          ]
        : [];
      phases.push(
        { ...phase, checks: [...phase.checks, ...checks] },
        ...(await nodeGroups.phases(change.label)),
      );
      if (!ok(phases)) break;
    }
    log('destroy');
    const destroyed = await destroy(state, 'destroy', ctx);
    phases.push(destroyed);
    await controller?.stop();
    const remains = afterClusterDeletion({
      objects: without(await listObjects(plane.kubeconfig), [
        ...baseline,
        ...EKS_SEED.map(seedKey),
      ]),
      outliving: [
        ...(await ebsVolumeHolders(
          plane.kubeconfig,
          ebs.volumes().map((v) => v.id),
        )),
        ...loadBalancers.loadBalancers().map((lb) => ({
          description: `${lb.type} load balancer ${lb.dnsName}`,
          heldBy: loadBalancerHolders(lb.members),
        })),
      ],
      clusterDeleted: destroyed.steps.some(
        (s) => s.resourceType === 'AWS::EKS::Cluster' && s.outcome === 'succeeded',
      ),
    });
    return { notes, phases, ...remains };
  } finally {
    await controller?.stop();
    await tracker.stop();
    await fake.stop();
    await ebs.stop();
    await loadBalancers.stop();
    await aggregated.stop();
    await admission.stop();
    await repository.stop();
    if (!options.plane) await plane.stop();
  }
}

function ok(phases: readonly Phase[]): boolean {
  return phases.every(
    (p) => p.steps.every((s) => s.outcome !== 'failed') && p.checks.every((c) => c.ok),
  );
}

async function convergence(
  plane: TestPlane,
  fake: FakeBitcoind,
  timeoutMs: number,
): Promise<Check[]> {
  return [
    await deploymentsAvailable(plane.kubeconfig, timeoutMs),
    await networksMeshed(plane.kubeconfig, fake, timeoutMs),
  ];
}

/** The kubectl manifests of the deployed stack (resolved), as JSON text. */
function manifestsOf(state: StackState): string[] {
  return [...state.resources.values()]
    .filter((r) => r.type === KUBECTL_PROVIDER_TYPES[0] && r.properties?.Manifest !== undefined)
    .map((r) => String(r.properties!.Manifest));
}

/** Each manifest of the deployed stack against what carries its prune label. */
async function manifestChecks(plane: TestPlane, state: StackState): Promise<Check[]> {
  const checks: Check[] = [];
  for (const [logicalId, deployed] of state.resources) {
    if (deployed.type !== KUBECTL_PROVIDER_TYPES[0] || !deployed.properties?.PruneLabel) continue;
    const { Manifest, PruneLabel } = deployed.properties;
    checks.push(
      await manifestMatchesCluster(plane.kubeconfig, {
        logicalId,
        manifest: String(Manifest),
        pruneLabel: String(PruneLabel),
      }),
    );
  }
  return checks;
}

function helmReleasesOf(template: CfnTemplate): { chart: string; version: string }[] {
  return Object.values(template.Resources)
    .filter((r) => r.Type === KUBECTL_PROVIDER_TYPES[1])
    .map((r) => ({ chart: String(r.Properties?.Chart), version: String(r.Properties?.Version) }));
}

function clusterNameOf(template: CfnTemplate): string {
  const clusters = Object.values(template.Resources).filter((r) => r.Type === 'AWS::EKS::Cluster');
  if (clusters.length !== 1 || typeof clusters[0].Properties?.Name !== 'string') {
    throw new Error(
      `the rehearsal needs exactly one AWS::EKS::Cluster with a literal Name, found ${clusters.length}`,
    );
  }
  return clusters[0].Properties.Name;
}

function seedKey(ref: {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}): ObjectKey {
  return keyOf({
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name, namespace: ref.namespace },
  });
}
