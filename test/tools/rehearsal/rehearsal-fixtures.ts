/** Templates the rehearsal suite deploys besides the synthesised one. */
import { DEFAULT_KUBERNETES_MINOR } from '../../../config/kubernetes-minors';
import { INVENTORY_COMPONENT } from '../../../lib/chart-resources';
import { Intrinsics } from '../../../tools/rehearsal/intrinsics';
import type { CfnTemplate, TemplateResource } from '../../../tools/rehearsal/template';

const MANIFEST_TYPE = 'Custom::AWSCDK-EKS-KubernetesResource';

interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  [key: string]: unknown;
}

/** `Kind namespace/name`, as the charts' inventories and the rehearsal's checks list objects. */
export const objectKey = (o: Pick<ManifestObject, 'kind' | 'metadata'>): string =>
  `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

/**
 * Objects the suite's stack starts with only so that a later deployment can drop them: of the
 * kinds whose only objects in the charts are the controller's own account and grants, which it
 * cannot run without. Each is its own resource of the operator chart, as synth would make it.
 */
export const EXTRA_OBJECTS: readonly ManifestObject[] = [
  {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'retired', namespace: 'bitcoin-controller' },
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'retired', namespace: 'bitcoin-controller' },
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'retired', namespace: 'bitcoin-controller' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'retired' },
    subjects: [{ kind: 'ServiceAccount', name: 'retired', namespace: 'bitcoin-controller' }],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'retired' },
    rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get'] }],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'retired' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'retired' },
    subjects: [{ kind: 'ServiceAccount', name: 'retired', namespace: 'bitcoin-controller' }],
  },
  {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: 'retired' },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [
          {
            apiGroups: [''],
            apiVersions: ['v1'],
            operations: ['CREATE'],
            resources: ['configmaps'],
          },
        ],
      },
      validations: [{ expression: 'true' }],
    },
  },
  {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: 'retired' },
    spec: { policyName: 'retired', validationActions: ['Deny'] },
  },
];

/**
 * What the drop deployment's charts no longer render: one object of every kind the charts have
 * (the alpine demo, the storage demo with its namespace and claim, a StorageClass, the HPA, the
 * Ingress, the sample network) and the {@link EXTRA_OBJECTS}. The CRD is not among them: no
 * deploy deletes it (docs/operator.md#removing-the-crd).
 */
export const DROPPED: readonly string[] = [
  'Deployment web/alpine',
  'Service web/alpine-service',
  'Service web/alpine-service-nodeport',
  'NetworkPolicy web/allow-alpine-http',
  'PodDisruptionBudget web/alpine',
  'Namespace storage-demo',
  'NetworkPolicy storage-demo/deny-all-ingress',
  'NetworkPolicy storage-demo/deny-all-egress',
  'NetworkPolicy storage-demo/allow-dns',
  'PersistentVolumeClaim storage-demo/demo-data',
  'Deployment storage-demo/volume-demo',
  'PodDisruptionBudget storage-demo/volume-demos',
  'StorageClass cold',
  'HorizontalPodAutoscaler web/httpd',
  'Ingress web/web',
  'BitcoinNetwork bitcoin/my-network',
  ...EXTRA_OBJECTS.map(objectKey),
];

/** The kubectl manifest resources of a template, with their objects (references as text). */
function manifestsOf(template: CfnTemplate): Map<string, ManifestObject[]> {
  const intrinsics = new Intrinsics(template);
  return new Map(
    Object.entries(template.Resources)
      .filter(([, r]) => r.Type === MANIFEST_TYPE)
      .map(([id, r]) => [
        id,
        JSON.parse(String(intrinsics.resolve(r.Properties!.Manifest, id))) as ManifestObject[],
      ]),
  );
}

const withManifest = (
  resource: TemplateResource,
  objects: readonly object[],
): TemplateResource => ({
  ...resource,
  Properties: { ...resource.Properties, Manifest: JSON.stringify(objects) },
});

const dependenciesOf = (resource: TemplateResource): string[] => [resource.DependsOn ?? []].flat();

/** `objects` with the lines of the chart's inventories (if among them) passed through `edit`. */
function editInventory(
  objects: readonly ManifestObject[],
  edit: (keys: string[]) => string[],
): ManifestObject[] {
  return objects.map((o) =>
    o.metadata.labels?.['app.kubernetes.io/component'] === INVENTORY_COMPONENT && o.data?.objects
      ? { ...o, data: { objects: edit(o.data.objects.split('\n')).sort().join('\n') } }
      : o,
  );
}

/**
 * The template as synth would make it if the charts no longer rendered the {@link DROPPED}
 * objects: their own resources gone, with every dependency on them; the others out of their
 * chart's manifest; all of them out of the inventories, and no inventory in a dropped namespace.
 */
export function dropObjects(template: CfnTemplate): CfnTemplate {
  const manifests = manifestsOf(template);
  // Synth puts nothing in a namespace no chart creates: every chart's inventory leaves it too.
  const namespaces = DROPPED.filter((key) => key.startsWith('Namespace ')).map((k) => k.slice(10));
  const gone = new Set([
    ...DROPPED,
    ...[...manifests.values()]
      .flat()
      .filter((o) => o.metadata.namespace && namespaces.includes(o.metadata.namespace))
      .map(objectKey),
  ]);
  const present = new Set([...manifests.values()].flat().map(objectKey));
  const missing = DROPPED.filter((key) => !present.has(key));
  if (missing.length > 0) throw new Error(`not in the template, so not dropped: ${missing}`);
  const removed = new Set(
    [...manifests]
      .filter(([, objects]) => objects.length === 1 && gone.has(objectKey(objects[0])))
      .map(([id]) => id),
  );
  const resources: Record<string, TemplateResource> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (removed.has(id)) continue;
    const objects = manifests.get(id);
    const edited = objects
      ? withManifest(
          resource,
          editInventory(
            objects.filter((o) => !gone.has(objectKey(o))),
            (keys) => keys.filter((k) => !gone.has(k)),
          ),
        )
      : resource;
    resources[id] = {
      ...edited,
      DependsOn: dependenciesOf(resource).filter((d) => !removed.has(d)),
    };
  }
  return { ...template, Resources: resources };
}

/**
 * The template with `objects` added to a chart as synth adds them: each its own resource, made
 * like its `sibling` (an own resource of that chart in the same namespace, by logical ID prefix)
 * with its dependencies, before the chart's manifest (`chart`, by prefix), and in its inventory.
 */
function withOwnResources(
  template: CfnTemplate,
  chart: string,
  sibling: (o: ManifestObject) => string,
  objects: readonly ManifestObject[],
): CfnTemplate {
  const manifests = manifestsOf(template);
  const idOf = (prefix: string) =>
    Object.keys(template.Resources).find((id) => id.startsWith(prefix))!;
  const chartId = idOf(chart);
  const resources: Record<string, TemplateResource> = { ...template.Resources };
  const added = objects.map((o) => {
    const id = `${chart}Extra${objectKey(o).replace(/[^A-Za-z0-9]/g, '')}`;
    resources[id] = withManifest(template.Resources[idOf(sibling(o))], [o]);
    return id;
  });
  resources[chartId] = {
    ...withManifest(
      template.Resources[chartId],
      editInventory(manifests.get(chartId)!, (keys) => [...keys, ...objects.map(objectKey)]),
    ),
    DependsOn: [...dependenciesOf(template.Resources[chartId]), ...added],
  };
  return { ...template, Resources: resources };
}

/** The template with the {@link EXTRA_OBJECTS} in the operator chart. */
export function withExtraObjects(template: CfnTemplate): CfnTemplate {
  return withOwnResources(
    template,
    'EksClusterchartbitcoinoperator',
    (o) =>
      o.metadata.namespace
        ? 'ChartsbitcoinoperatorRolebitcoincontrollerbitcoincontroller'
        : 'ChartsbitcoinoperatorClusterRolebitcoincontroller',
    EXTRA_OBJECTS,
  );
}

/** A stack of the cluster and one manifest resource of the kubectl provider. */
export function manifestTemplate(manifest: readonly object[]): CfnTemplate {
  return {
    Resources: {
      Cluster: { Type: 'AWS::EKS::Cluster', Properties: { Name: 'bitcoin-platform' } },
      // What the provider's Lambda runs kubectl and helm from.
      KubectlLayer: {
        Type: 'AWS::Lambda::LayerVersion',
        Properties: { Description: `/opt/kubectl/kubectl ${DEFAULT_KUBERNETES_MINOR}.0` },
      },
      Provider: { Type: 'AWS::Lambda::Function' },
      Manifest: {
        Type: MANIFEST_TYPE,
        Properties: {
          ServiceToken: { 'Fn::GetAtt': ['Provider', 'Arn'] },
          ClusterName: { Ref: 'Cluster' },
          Manifest: JSON.stringify(manifest),
        },
      },
    },
  };
}

/** The BitcoinNetwork with persistent storage that {@link withStoredNetwork} adds. */
export const STORED_NETWORK = {
  name: 'stored',
  namespace: 'bitcoin',
  storage: { size: '1Gi', storageClassName: 'gp3' },
};

/**
 * The template with a second BitcoinNetwork, one with persistent storage, in the sample chart as
 * synth would put it: its own resource like the sample network's, or, in a template of a version
 * with one manifest per chart, in that manifest. Its StatefulSet's claims are what the EBS CSI
 * driver must provision and, on destroy, delete before it goes.
 */
export function withStoredNetwork(template: CfnTemplate): CfnTemplate {
  const manifests = [...manifestsOf(template)];
  const own = manifests.find(([key]) => key.startsWith('ChartsbitcoinsampleBitcoinNetwork'));
  const [chartId, chartObjects] = manifests.find(([key]) =>
    key.startsWith('EksClusterchartbitcoinsample'),
  )!;
  const sample = (own?.[1] ?? chartObjects).find((o) => o.kind === 'BitcoinNetwork')!;
  const stored: ManifestObject = {
    apiVersion: sample.apiVersion,
    kind: 'BitcoinNetwork',
    metadata: {
      ...sample.metadata,
      name: STORED_NETWORK.name,
      namespace: STORED_NETWORK.namespace,
    },
    spec: { nodes: 2, storage: STORED_NETWORK.storage },
  };
  const [id, resource] = own
    ? [`${own[0]}Stored`, withManifest(template.Resources[own[0]], [stored])]
    : [chartId, withManifest(template.Resources[chartId], [...chartObjects, stored])];
  return { ...template, Resources: { ...template.Resources, [id]: resource } };
}

/**
 * The template with `spec.replicas` on the httpd Deployment, as the versions before the HPA owned
 * its count rendered it: the previous template of the hand-over rehearsal.
 */
export function withHttpdReplicas(template: CfnTemplate, replicas: number): CfnTemplate {
  const [id, objects] = [...manifestsOf(template)].find(([key]) =>
    key.startsWith('EksClusterchartworkloads'),
  )!;
  const httpd = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'httpd')!;
  httpd.spec = { replicas, ...(httpd.spec as object) };
  return {
    ...template,
    Resources: { ...template.Resources, [id]: withManifest(template.Resources[id], objects) },
  };
}
