/**
 * The EKS managed add-ons of the stack, as the Kubernetes objects each one creates that other
 * resources depend on or collide with. EKS applies them server-side as field manager `eks` and,
 * on delete, removes them unless the add-on is preserved.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/managing-add-ons.html
 */
import { applyObjects, deleteObjects, KubeObject } from './kube-objects';
import {
  awsNodeDaemonSet,
  configMap,
  Container,
  eksImage,
  serviceAccount,
  systemMeta,
  UNVERSIONED,
  workload,
} from './kube-system-objects';
import { coreDnsObjects, kubeProxyObjects } from './eks-seed';

/** An add-on's parsed configurationValues. */
export type AddonConfiguration = Readonly<Record<string, unknown>>;

/** Checks one configurationValues key: undefined when its value is allowed, else what is. */
type KeyRule = (value: unknown) => string | undefined;

interface AddonStandIn {
  /** The configurationValues keys this stand-in understands, with the rule of each. */
  readonly keys: Readonly<Record<string, KeyRule>>;
  /** Its objects, with `tag` (the add-on's version) on every image of EKS's. */
  objects(configuration: AddonConfiguration, tag: string): KubeObject[];
}

const oneOf =
  (...allowed: string[]): KeyRule =>
  (value) =>
    allowed.includes(value as string)
      ? undefined
      : `one of ${allowed.map((a) => `"${a}"`).join(', ')}`;

const isStringMap = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every((v) => typeof v === 'string');

// The driver's schema has many controller keys; the stack sets only extraVolumeTags.
// @see https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/master/docs/tagging.md
const ebsController: KeyRule = (value) =>
  typeof value === 'object' &&
  value !== null &&
  Object.keys(value).every((key) => key === 'extraVolumeTags') &&
  isStringMap((value as { extraVolumeTags?: unknown }).extraVolumeTags ?? {})
    ? undefined
    : 'an object with only extraVolumeTags, a map of strings';

/** The tags configurationValues asks the EBS CSI driver to put on every volume it creates. */
export function extraVolumeTagsOf(configuration: AddonConfiguration): Record<string, string> {
  const controller = configuration.controller as { extraVolumeTags?: Record<string, string> };
  return { ...controller?.extraVolumeTags };
}

const ebsCsiDriver: AddonStandIn = {
  keys: { controller: ebsController },
  objects: (_configuration, tag) => [
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'CSIDriver',
      metadata: { name: 'ebs.csi.aws.com' },
      spec: { attachRequired: true, podInfoOnMount: false, fsGroupPolicy: 'File' },
    },
    serviceAccount('ebs-csi-controller-sa'),
    serviceAccount('ebs-csi-node-sa'),
    workload('Deployment', 'ebs-csi-controller', [ebsPlugin(tag)], {
      serviceAccountName: 'ebs-csi-controller-sa',
      replicas: 2,
    }),
    workload('DaemonSet', 'ebs-csi-node', [ebsPlugin(tag)], {
      serviceAccountName: 'ebs-csi-node-sa',
    }),
  ],
};
const ebsPlugin = (tag: string): Container => ({
  name: 'ebs-plugin',
  image: eksImage('aws-ebs-csi-driver', tag),
});

// Its APIService is Available only while AggregatedApiStandIn answers on the pods' endpoints.
const metricsServer: AddonStandIn = {
  keys: {},
  objects: (_configuration, tag) => [
    serviceAccount('metrics-server'),
    workload(
      'Deployment',
      'metrics-server',
      [
        {
          name: 'metrics-server',
          image: eksImage('metrics-server', tag),
          ports: [{ name: 'https', containerPort: 10250 }],
        },
      ],
      { selector: { 'k8s-app': 'metrics-server' }, serviceAccountName: 'metrics-server' },
    ),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: systemMeta('metrics-server', { 'k8s-app': 'metrics-server' }),
      spec: {
        selector: { 'k8s-app': 'metrics-server' },
        ports: [{ name: 'https', port: 443, targetPort: 'https' }],
      },
    },
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1beta1.metrics.k8s.io', labels: { 'k8s-app': 'metrics-server' } },
      spec: {
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        service: { name: 'metrics-server', namespace: 'kube-system', port: 443 },
        insecureSkipTLSVerify: true,
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    },
  ],
};

const podIdentityAgent: AddonStandIn = {
  keys: {},
  objects: (_configuration, tag) => [
    workload(
      'DaemonSet',
      'eks-pod-identity-agent',
      [{ name: 'eks-pod-identity-agent', image: eksImage('eks-pod-identity-agent', tag) }],
      { selector: { 'app.kubernetes.io/name': 'eks-pod-identity-agent' }, hostNetwork: true },
    ),
  ],
};

// enableNetworkPolicy adds the network policy agent to aws-node.
// @see https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy-configure.html
const vpcCni: AddonStandIn = {
  keys: { enableNetworkPolicy: oneOf('true', 'false') },
  objects: (configuration, tag) => {
    const enabled = configuration.enableNetworkPolicy === 'true';
    const agent: Container = {
      name: 'aws-eks-nodeagent',
      image: eksImage('aws-network-policy-agent', tag),
      args: ['--enable-network-policy=true'],
    };
    return [
      serviceAccount('aws-node'),
      configMap('amazon-vpc-cni', { 'enable-network-policy-controller': String(enabled) }),
      awsNodeDaemonSet(enabled ? [agent] : [], tag),
    ];
  },
};

const positiveInteger: KeyRule = (value) =>
  Number.isInteger(value) && (value as number) >= 1 ? undefined : 'a positive integer';

// EKS adopts the objects it bootstrapped the cluster with (OVERWRITE) and runs them at the version.
// Of CoreDNS's schema the stack sets only replicaCount.
// @see https://docs.aws.amazon.com/eks/latest/userguide/coredns-add-on-self-managed-update.html
const coreDns: AddonStandIn = {
  keys: { replicaCount: positiveInteger },
  objects: (configuration, tag) =>
    coreDnsObjects(tag, (configuration.replicaCount as number | undefined) ?? 2),
};
const kubeProxy: AddonStandIn = {
  keys: {},
  objects: (_configuration, tag) => kubeProxyObjects(tag),
};

const ADDONS: Readonly<Record<string, AddonStandIn>> = {
  'aws-ebs-csi-driver': ebsCsiDriver,
  coredns: coreDns,
  'eks-pod-identity-agent': podIdentityAgent,
  'kube-proxy': kubeProxy,
  'metrics-server': metricsServer,
  'vpc-cni': vpcCni,
};

export const ADDON_NAMES: readonly string[] = Object.keys(ADDONS);

function standIn(name: string): AddonStandIn {
  const addon = ADDONS[name];
  if (!addon) {
    throw new Error(`EKS add-on "${name}" has no stand-in; known: ${ADDON_NAMES.join(', ')}`);
  }
  return addon;
}

/** Parses and checks configurationValues as EKS does against the add-on's schema. */
function parseConfiguration(name: string, values: string | undefined): AddonConfiguration {
  if (values === undefined || values.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(values);
  } catch {
    throw new Error(`${name} configurationValues must be a JSON object, got ${values}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${name} configurationValues must be a JSON object, got ${values}`);
  }
  const keys = standIn(name).keys;
  for (const [key, value] of Object.entries(parsed)) {
    const rule = keys[key];
    if (!rule) {
      const known = Object.keys(keys).join(', ') || 'none';
      throw new Error(
        `${name} configurationValues key "${key}" is not supported (allowed: ${known})`,
      );
    }
    const allowed = rule(value);
    if (allowed) {
      throw new Error(
        `${name} configurationValues ${key} must be ${allowed}, got ${JSON.stringify(value)}`,
      );
    }
  }
  return parsed as AddonConfiguration;
}

/**
 * What `aws eks create-addon` (and update-addon) does inside the cluster; returns the parsed
 * configuration, for the stand-ins that play the add-on's controllers.
 */
export async function createAddon(
  kubeconfig: string,
  name: string,
  configurationValues?: string,
  /** AddonVersion; without it EKS installs the default version for the cluster's minor. */
  version?: string,
): Promise<AddonConfiguration> {
  const configuration = parseConfiguration(name, configurationValues);
  await applyObjects(
    kubeconfig,
    'eks',
    standIn(name).objects(configuration, version ?? UNVERSIONED),
  );
  return configuration;
}

/**
 * What `aws eks delete-addon` does inside the cluster: removes the add-on's objects, or, with
 * `preserve` (PreserveOnDelete), leaves them running unmanaged.
 */
export async function deleteAddon(
  kubeconfig: string,
  name: string,
  options: { readonly preserve?: boolean } = {},
): Promise<void> {
  const objects = standIn(name).objects({}, UNVERSIONED);
  if (options.preserve) return;
  await deleteObjects(kubeconfig, objects);
}
