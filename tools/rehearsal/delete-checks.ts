/**
 * After a resource's Delete succeeded, what of it is still in the cluster: the handler logs and
 * swallows kubectl's delete errors, and helm's uninstall can leave objects behind, so the
 * rehearsal looks for itself.
 */
import { AdminApi, adminApiOf, apiRoot } from '../testplane/lib/admin-api';
import { kubectl } from '../testplane/lib/kubectl';
import { describeKey, keyOf, ServedResource, servedKinds } from './cluster-objects';
import { untilNoneLeft } from './until-none-left';

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
  const api = adminApiOf(kubeconfig);
  // Asked once: a kind whose CRD goes meanwhile answers 404 like a deleted object.
  const resources = await servedKinds(api);
  return untilNoneLeft(() => objectsLeft(api, resources, objects), GRACE_MS);
}

async function objectsLeft(
  api: AdminApi,
  resources: ReadonlyMap<string, ServedResource>,
  objects: readonly ManifestObject[],
): Promise<string[]> {
  const left: string[] = [];
  for (const object of objects) {
    const resource = resources.get(`${object.apiVersion} ${object.kind}`);
    // Its kind went with its CRD: nothing of that kind can be left.
    if (!resource) continue;
    const { name, namespace } = object.metadata;
    const where = resource.namespaced ? `/namespaces/${namespace ?? 'default'}` : '';
    const res = await api.send(
      'GET',
      `${apiRoot(object.apiVersion)}${where}/${resource.name}/${name}`,
    );
    if (res.status === 200) left.push(describeKey(keyOf(object)));
    else if (res.status !== 404) throw new Error(`GET ${name}: ${res.status} ${res.body}`);
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
