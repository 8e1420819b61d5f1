/**
 * The kinds `kubectl apply --prune` deletes when it is given no `--prune-allowlist`: kubectl's
 * built-in list (the same from 1.27 to 1.36). The kubectl provider's Update cannot pass an
 * allow-list, so a dropped object of any other kind would stay in the cluster; those kinds are
 * therefore applied one object per resource (see {@link ChartResources}).
 */
export const KUBECTL_PRUNE_KINDS: ReadonlySet<string> = new Set([
  'ConfigMap',
  'CronJob',
  'DaemonSet',
  'Deployment',
  'Endpoints',
  'Ingress',
  'Job',
  'Namespace',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Pod',
  'ReplicaSet',
  'ReplicationController',
  'Secret',
  'Service',
  'StatefulSet',
]);
