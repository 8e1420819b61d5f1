/**
 * After a resource's Delete succeeded, what of it is still in the cluster: the handler logs and
 * swallows kubectl's delete errors, and helm's uninstall can leave objects behind, so the
 * rehearsal looks for itself.
 */
import { kubectl } from '../testplane/lib/kubectl';
import { describeKey, keyOf } from './cluster-objects';

interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

/**
 * How long objects may take to go after their Delete returned: kubectl does not wait for the
 * rest once one object of the file failed (already gone), so a namespace may still be
 * terminating.
 */
const GRACE_MS = 60_000;

/** The manifest's objects still there after the grace period, one line each. */
export async function manifestObjectsLeft(
  kubeconfig: string,
  manifestText: string,
): Promise<string[]> {
  const objects = JSON.parse(manifestText) as ManifestObject[];
  const deadline = Date.now() + GRACE_MS;
  for (;;) {
    const left = await objectsLeft(kubeconfig, objects);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

async function objectsLeft(
  kubeconfig: string,
  objects: readonly ManifestObject[],
): Promise<string[]> {
  const left: string[] = [];
  for (const object of objects) {
    const [group, version] = object.apiVersion.includes('/')
      ? object.apiVersion.split('/')
      : ['', object.apiVersion];
    const resource = group
      ? `${object.kind.toLowerCase()}.${version}.${group}`
      : object.kind.toLowerCase();
    const args = ['get', `${resource}/${object.metadata.name}`, '--ignore-not-found', '-o', 'name'];
    if (object.metadata.namespace) args.push('-n', object.metadata.namespace);
    try {
      if ((await kubectl(kubeconfig, args)).trim() !== '') left.push(describeKey(keyOf(object)));
    } catch (err) {
      // Its kind went with its CRD: nothing of that kind can be left.
      if (!/the server doesn't have a resource type|no matches for kind/.test(String(err)))
        throw err;
    }
  }
  return left;
}

/** The release's own record and the objects labelled as its instance that still exist. */
export async function helmReleaseLeft(
  kubeconfig: string,
  release: string,
  namespace: string,
): Promise<string[]> {
  const records = await kubectl(kubeconfig, [
    'get',
    'secrets',
    '-n',
    namespace,
    '-l',
    `owner=helm,name=${release}`,
    '-o',
    'name',
  ]);
  const objects = await kubectl(kubeconfig, [
    'get',
    'deployments,daemonsets,services,serviceaccounts,configmaps,secrets,clusterroles,clusterrolebindings,roles,rolebindings,ingressclasses,mutatingwebhookconfigurations,validatingwebhookconfigurations',
    '--all-namespaces',
    '-l',
    `app.kubernetes.io/instance=${release}`,
    '-o',
    'name',
  ]);
  return [...records.split('\n'), ...objects.split('\n')].filter((line) => line.trim() !== '');
}
