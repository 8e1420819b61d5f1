/**
 * Runs aws-cdk-lib's own kubectl handler (the Python code of the kubectl provider Lambda) for
 * one event, with the kubectl and helm of the layer the template gives the provider and a
 * stand-in `aws` on PATH, its work directory (kubeconfig, manifest.yaml, values.yaml, and
 * kubectl-layer.json naming the layer) its own, and the Lambda's 900 s timeout.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../base/repo-root';
import { isExtracted, KubectlLayer } from '../setup/kubectl-layer';
import { isInstalled, venvOf } from '../setup/python-tools';
import type { CustomResourceEvent } from './events';
import { runInHandlerServer } from './handler-server';

export const HANDLER_DIR = path.join(
  REPO_ROOT,
  'node_modules',
  'aws-cdk-lib',
  'custom-resource-handlers',
  'dist',
  'aws-eks-v2',
  'kubectl-handler',
);
const STAND_IN_BIN = path.join(__dirname, 'bin');

/** The provider Lambda's timeout (aws-eks-v2 sets the kubectl handler to 15 minutes). */
export const LAMBDA_TIMEOUT_S = 900;

export interface HandlerEnvironment {
  /** The kubeconfig the stand-in `aws eks update-kubeconfig` hands out. */
  readonly kubeconfig: string;
  /** The one cluster name `aws eks update-kubeconfig --name` accepts. */
  readonly clusterName: string;
  /** Where each invocation gets its own work directory. */
  readonly workDir: string;
  /** The layer the provider Lambda has: the deployed template's (see kubectlLayerOf). */
  readonly layer: KubectlLayer;
  /** A CA bundle helm trusts for https chart repositories (SSL_CERT_FILE). */
  readonly caFile?: string;
  readonly timeoutSeconds?: number;
}

export interface HandlerResult {
  readonly ok: boolean;
  readonly seconds: number;
  /** The handler's own message when it raised (kubectl's or helm's output). */
  readonly error?: string;
  /** Everything it printed: the event, each command and its output. */
  readonly log: string;
}

let invocations = 0;

export async function runHandler(
  event: CustomResourceEvent,
  env: HandlerEnvironment,
): Promise<HandlerResult> {
  const python = requireTools(env.layer);
  const dir = path.join(
    env.workDir,
    `${String(++invocations).padStart(3, '0')}-${event.RequestType}-${event.LogicalResourceId}`,
  );
  fs.mkdirSync(dir, { recursive: true });
  const eventFile = path.join(dir, 'event.json');
  const resultFile = path.join(dir, 'result.json');
  const logFile = path.join(dir, 'handler.log');
  fs.writeFileSync(eventFile, JSON.stringify(event, null, 1));
  const layer = env.layer;
  fs.writeFileSync(
    path.join(dir, 'kubectl-layer.json'),
    JSON.stringify({ minor: layer.minor, version: layer.version, kubectl: layer.kubectl }),
  );
  const started = Date.now();
  const { code, timedOut } = await runInHandlerServer(
    python,
    {
      handlerDir: HANDLER_DIR,
      event: eventFile,
      result: resultFile,
      log: logFile,
      env: {
        // Ours first: the handler prepends /opt/kubectl:/opt/awscli, which do not exist here.
        PATH: [
          STAND_IN_BIN,
          path.dirname(layer.kubectl),
          path.dirname(layer.helm),
          '/usr/bin',
          '/bin',
        ].join(':'),
        TEST_OUTDIR: dir,
        HOME: dir,
        AWS_REGION: 'us-east-1',
        REHEARSAL_KUBECONFIG: env.kubeconfig,
        REHEARSAL_CLUSTER_NAME: env.clusterName,
        ...(env.caFile ? { SSL_CERT_FILE: env.caFile } : {}),
      },
    },
    (env.timeoutSeconds ?? LAMBDA_TIMEOUT_S) * 1000,
  );
  const seconds = (Date.now() - started) / 1000;
  const output = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
  if (timedOut)
    return {
      ok: false,
      seconds,
      error: `Task timed out after ${env.timeoutSeconds ?? LAMBDA_TIMEOUT_S} seconds`,
      log: output,
    };
  const result = fs.existsSync(resultFile)
    ? (JSON.parse(fs.readFileSync(resultFile, 'utf8')) as { error?: string })
    : undefined;
  if (!result)
    return {
      ok: false,
      seconds,
      error: `the handler process ended (exit ${code}) without a result: ${output.trim().split('\n').slice(-5).join('\n')}`,
      log: output,
    };
  return {
    ok: result.error === undefined,
    seconds,
    ...(result.error !== undefined ? { error: result.error } : {}),
    log: output,
  };
}

/** The venv's python; a missing venv or layer says how to get it. */
function requireTools(layer: KubectlLayer): string {
  const venv = venvOf('kubectl-handler');
  if (!isInstalled(venv) || !isExtracted(layer)) {
    throw new Error(
      'the kubectl handler venv or the kubectl layer is not in the cache: run `npm run setup` (or `tsx tools/setup/main.ts rehearsal`)',
    );
  }
  return venv.executable;
}
