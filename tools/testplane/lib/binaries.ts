import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheRoot, isComplete } from '../../base/cache';
import versions from '../versions.json';

export const VERSIONS = versions;

export interface Component {
  /** The argument of build.sh, and the folder's name with the version. */
  readonly name: 'etcd' | 'kwok' | 'kubernetes';
  readonly version: string;
  readonly binaries: readonly string[];
  /**
   * Cold build, module downloads included, for the progress line: ~13 min for all three on an
   * idle 2-core machine (22 min when five jobs shared those cores: kubernetes alone took 19).
   */
  readonly expectedBuildMs: number;
}

export const COMPONENTS: readonly Component[] = [
  { name: 'etcd', version: versions.etcd, binaries: ['etcd'], expectedBuildMs: 80_000 },
  { name: 'kwok', version: versions.kwok, binaries: ['kwok'], expectedBuildMs: 130_000 },
  {
    name: 'kubernetes',
    version: versions.kubernetes,
    binaries: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'],
    expectedBuildMs: 570_000,
  },
];

/**
 * The test plane's folder in the machine's cache (see tools/base/cache.ts): its binaries and
 * Go's caches. Until 2026-12-07 it was `controlplane/`; a machine that has only that one keeps
 * its builds (a cold build takes 13 minutes or more): the folder is renamed once.
 */
export function planeCacheDir(root = cacheRoot()): string {
  const dir = path.join(root, 'testplane');
  const earlier = path.join(root, 'controlplane');
  if (!fs.existsSync(dir) && fs.existsSync(earlier)) fs.renameSync(earlier, dir);
  return dir;
}

/** Where a component's binaries are built, once per machine. */
export function componentDir(component: Component, root = cacheRoot()): string {
  return path.join(planeCacheDir(root), 'bin', `${component.name}-${component.version}`);
}

/**
 * Versions of `component` finished in the cache other than the pinned one (logs and partial
 * builds carry no stamp), sorted by name.
 */
export function otherBuiltVersions(component: Component, root = cacheRoot()): string[] {
  const bin = path.dirname(componentDir(component, root));
  const prefix = `${component.name}-`;
  if (!fs.existsSync(bin)) return [];
  return fs
    .readdirSync(bin)
    .filter((name) => name.startsWith(prefix))
    .map((name) => name.slice(prefix.length))
    .filter(
      (version) =>
        version !== component.version && isComplete(path.join(bin, `${prefix}${version}`), version),
    )
    .sort();
}

/** Built for the pinned version, stamped, and every binary executable. */
export function isBuilt(component: Component): boolean {
  const dir = componentDir(component);
  return (
    isComplete(dir, component.version) &&
    component.binaries.every((name) => isExecutable(path.join(dir, name)))
  );
}

export interface Binaries {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubeScheduler: string;
  readonly kwok: string;
  /** The same version as the plane: the machine's kubectl may be older or missing. */
  readonly kubectl: string;
}

export function binaries(): Binaries {
  const [etcd, kwok, kubernetes] = COMPONENTS.map((component) => componentDir(component));
  return {
    etcd: path.join(etcd, 'etcd'),
    kubeApiserver: path.join(kubernetes, 'kube-apiserver'),
    kubeControllerManager: path.join(kubernetes, 'kube-controller-manager'),
    kubeScheduler: path.join(kubernetes, 'kube-scheduler'),
    kwok: path.join(kwok, 'kwok'),
    kubectl: path.join(kubernetes, 'kubectl'),
  };
}

/** Binaries of components not (completely) built yet: empty when the plane can start. */
export function missingBinaries(): string[] {
  return COMPONENTS.filter((component) => !isBuilt(component)).flatMap((component) =>
    component.binaries.map((name) => path.join(componentDir(component), name)),
  );
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
