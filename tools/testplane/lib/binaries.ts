import * as fs from 'node:fs';
import * as path from 'node:path';
import versions from '../versions.json';

/** Repository root: binaries and run state live in its git-ignored `.cache/`. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const CACHE_DIR = path.join(REPO_ROOT, '.cache', 'controlplane');
export const VERSIONS = versions;

export interface Binaries {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubeScheduler: string;
  readonly kwok: string;
  /** The same version as the plane: the machine's kubectl may be older or missing. */
  readonly kubectl: string;
}

/** Where build.sh puts each binary, keyed by the pinned version. */
export function binaries(): Binaries {
  const bin = path.join(CACHE_DIR, 'bin');
  const k8s = path.join(bin, `kubernetes-${versions.kubernetes}`);
  return {
    etcd: path.join(bin, `etcd-${versions.etcd}`, 'etcd'),
    kubeApiserver: path.join(k8s, 'kube-apiserver'),
    kubeControllerManager: path.join(k8s, 'kube-controller-manager'),
    kubeScheduler: path.join(k8s, 'kube-scheduler'),
    kwok: path.join(bin, `kwok-${versions.kwok}`, 'kwok'),
    kubectl: path.join(k8s, 'kubectl'),
  };
}

/** Binaries that are not built yet (empty when the plane can start). */
export function missingBinaries(): string[] {
  return Object.values(binaries()).filter((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
}
