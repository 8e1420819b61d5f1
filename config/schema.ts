/**
 * The one home of every config key: its type, default, rule and description. `AppConfig`'s types,
 * the validation in `loadConfig` and the table in docs/configuration.md all come from here.
 */
import { MAX_NODES } from '../controller/api';
import { EndpointMode, SupportType, ThroughputVolume } from './enums';
import { DEFAULT_KUBERNETES_MINOR, SUPPORTED_KUBERNETES_MINORS } from './kubernetes-minors';
import {
  ValueType,
  boolean,
  cidr,
  cidrList,
  integer,
  list,
  oneOf,
  optional,
  quantity,
  text,
} from './value-types';

export interface Setting<T> {
  readonly type: ValueType<T>;
  /** Used when the key is unset. */
  readonly default: T;
  /** What an unset optional key means, for the docs. */
  readonly unsetMeans?: string;
  /** One or two sentences for the docs. */
  readonly description: string;
}

/** Ties a key's default to its type. */
function setting<T>(spec: Setting<T>): Setting<T> {
  return spec;
}

/** An EKS-optimized AMI release, `<Kubernetes version>-<date>`, such as 1.36.3-20261201. */
const RELEASE_VERSION = /^1\.\d+\.\d+-\d{8}$/;
const RELEASE_VERSION_RULE = 'an AMI release like "1.36.3-20261201"';
/** The smallest st1 and sc1 EBS volume, in GiB. */
const HDD_MIN_GIB = 125;

// EKS cluster names: 1-100 characters, start with a letter or digit, then letters, digits,
// hyphens and underscores. We also keep them DNS-safe (lowercase, no underscores), because the
// name ends up in kubeconfig contexts, tags and Cluster Autoscaler discovery tags.
const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]{0,98}[a-z0-9])?$/;
const CLUSTER_NAME_RULE =
  'a DNS label: 1-100 lowercase letters, digits and hyphens, not starting or ending with a hyphen';
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@\-/]+$/;

/** `[registry[:port]/]path[:tag][@sha256:digest]`, with a tag other than latest or a digest. */
const PINNED_IMAGE = new RegExp(
  '^(?:[a-z0-9.-]+(?::\\d+)?/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*' +
    '(?::(?!latest$)\\w[\\w.-]{0,127}|(?::(?!latest@)\\w[\\w.-]{0,127})?@sha256:[a-f0-9]{64})$',
);

/** Every key of `cdk.json` context the project reads, by the part of the app it configures. */
export const CONFIG_SCHEMA = {
  infra: {
    clusterName: setting({
      type: text(CLUSTER_NAME, CLUSTER_NAME_RULE),
      default: 'bitcoin-platform',
      description: 'EKS cluster name; also used in tags and the kubeconfig context.',
    }),
    kubernetesVersion: setting({
      type: oneOf(SUPPORTED_KUBERNETES_MINORS, 'the supported minors'),
      default: DEFAULT_KUBERNETES_MINOR,
      description: 'Kubernetes minor; nodes and add-ons follow it, one minor up per deploy.',
    }),
    upgradePolicy: setting({
      type: oneOf(Object.values(SupportType)),
      default: SupportType.STANDARD,
      description:
        'When the minor leaves standard support: `STANDARD` lets EKS upgrade the control plane, `EXTENDED` keeps it at six times the fee.',
    }),
    vpcCidr: setting({
      type: cidr(16, 24),
      default: '10.0.0.0/16',
      description: 'CIDR of the VPC.',
    }),
    maxAzs: setting({
      type: integer(2, 3),
      default: 2,
      description: 'Availability zones; 3 needs `account` and `region`.',
    }),
    natGateways: setting({
      type: integer(1, 'maxAzs'),
      default: 1,
      description: 'NAT gateways: 1 is cheap, one per AZ survives an AZ outage.',
    }),
    nodeInstanceTypes: setting({
      type: list(INSTANCE_TYPE, 'instance types like "t3.medium"'),
      default: ['t3.medium'],
      description: 'EC2 instance types of the managed node group.',
    }),
    nodeMinSize: setting({
      type: integer(0, 100),
      default: 1,
      description: 'Fewest nodes the Cluster Autoscaler keeps.',
    }),
    nodeDesiredSize: setting({
      type: integer(0, 100),
      default: 2,
      description: 'Nodes at creation.',
    }),
    nodeMaxSize: setting({
      type: integer(1, 100),
      default: 3,
      description: 'Most nodes the Cluster Autoscaler adds.',
    }),
    nodeMaxUnavailable: setting({
      type: integer(1, 'nodeMaxSize'),
      default: 1,
      description:
        'Nodes a node group update (new minor or AMI release) replaces at once; 1 moves one node of pods at a time.',
    }),
    nodeForceUpdate: setting({
      type: boolean(),
      default: false,
      description:
        'When a disruption budget still refuses a drain after 15 minutes: `false` fails the update, `true` lets EKS terminate the node anyway.',
    }),
    nodeReleaseVersion: setting({
      type: optional(text(RELEASE_VERSION, RELEASE_VERSION_RULE)),
      default: undefined,
      unsetMeans: 'the newest at creation and at each minor change, then kept',
      description:
        'AL2023 AMI release of the nodes within the minor; a newer one rolls them onto it (node patching).',
    }),
    nodeDiskSize: setting({
      type: integer(20, 16384),
      default: 20,
      description: 'Root volume of each node, in GiB.',
    }),
    endpointAccess: setting({
      type: oneOf(Object.values(EndpointMode)),
      default: EndpointMode.PUBLIC_AND_PRIVATE,
      description: 'How the EKS API endpoint is reachable.',
    }),
    endpointPublicCidrs: setting({
      type: cidrList(),
      default: ['0.0.0.0/0'],
      description: 'CIDRs allowed to reach a public endpoint.',
    }),
    adminPrincipalArns: setting({
      type: list(
        IAM_PRINCIPAL_ARN,
        'IAM role or user ARNs like "arn:aws:iam::123456789012:role/Admin"',
      ),
      default: [],
      description: 'IAM users or roles granted cluster admin, besides the deployer.',
    }),
    sshKeyName: setting({
      type: optional(text(/^[\x20-\x7e]{1,255}$/, 'an EC2 key pair name')),
      default: undefined,
      unsetMeans: 'no SSH key',
      description: 'EC2 key pair for SSH to nodes; SSM Session Manager works without one.',
    }),
    account: setting({
      type: optional(text(/^\d{12}$/, 'a 12-digit AWS account id')),
      default: undefined,
      unsetMeans: 'environment-agnostic unless the CLI knows CDK_DEFAULT_ACCOUNT',
      description: 'AWS account to deploy to.',
    }),
    region: setting({
      type: optional(text(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region like "eu-west-1"')),
      default: undefined,
      unsetMeans: 'environment-agnostic unless the CLI knows CDK_DEFAULT_REGION',
      description: 'AWS region to deploy to.',
    }),
  },
  platform: {
    webReplicas: setting({
      type: integer(1, 20),
      default: 2,
      description: 'Replicas of the httpd, tomcat and alpine Deployments.',
    }),
    alpineLoadBalancer: setting({
      type: boolean(),
      default: false,
      description: 'Also expose alpine through a LoadBalancer Service (an NLB, billed hourly).',
    }),
    demoVolumeSize: setting({
      type: quantity(),
      default: '4Gi',
      description: 'Size of the demo PVC on the default `gp3` class.',
    }),
    throughputVolume: setting({
      type: oneOf(Object.values(ThroughputVolume)),
      default: ThroughputVolume.NONE,
      description: 'Opt-in HDD demo volume: `st1`, or `cold` (sc1).',
    }),
    throughputVolumeSize: setting({
      type: quantity({ gib: HDD_MIN_GIB, why: 'the st1/sc1 minimum' }),
      default: `${HDD_MIN_GIB}Gi`,
      description: 'Size of the throughput volume.',
    }),
    staticVolumeId: setting({
      type: optional(text(/^vol-[0-9a-f]{8,17}$/, 'an EBS volume id like "vol-0123456789abcdef0"')),
      default: undefined,
      unsetMeans: 'no static volume',
      description: 'An existing EBS volume to mount through a static PersistentVolume (EKS only).',
    }),
  },
  operator: {
    controllerImage: setting({
      // An untagged or `:latest` image moves under a running Deployment; a rollout must name
      // what it runs, so a tag other than latest or a sha256 digest is required.
      type: optional(
        text(
          PINNED_IMAGE,
          'an image reference like "registry/repo:tag", pinned to a version or digest (not ":latest" or untagged)',
        ),
      ),
      default: undefined,
      unsetMeans: 'built from `controller/Dockerfile`',
      description: 'A prebuilt controller image.',
    }),
    sampleNetworkNodes: setting({
      type: integer(0, MAX_NODES),
      default: 3,
      description: 'Nodes of the sample BitcoinNetwork; the ceiling is the CRD maximum.',
    }),
  },
};

type Schema = typeof CONFIG_SCHEMA;
type ValueOf<S> = S extends Setting<infer T> ? T : never;
type Flatten<T> = { [K in keyof T]: T[K] };
/** A section's values: keys with a default are always set, optional ones may be missing. */
type Values<S> = Flatten<
  { readonly [K in keyof S as undefined extends ValueOf<S[K]> ? never : K]: ValueOf<S[K]> } & {
    readonly [K in keyof S as undefined extends ValueOf<S[K]> ? K : never]?: ValueOf<S[K]>;
  }
>;

export type InfraConfig = Values<Schema['infra']>;
export type PlatformConfig = Values<Schema['platform']>;
export type OperatorConfig = Values<Schema['operator']>;
export type AppConfig = { readonly [S in keyof Schema]: Values<Schema[S]> };

/** A rule between keys of one section, checked once the section's keys have their own values. */
interface CrossKeyRule<Section> {
  /** The key the error names. */
  readonly key: keyof Section & string;
  /** The rule, for the docs. */
  readonly rule: string;
  holds(values: Section): boolean;
  /** What is allowed, for the error: the rule with the other key's value. */
  allowed(values: Section): string;
}

const PUBLIC_CIDRS_RULE = `["0.0.0.0/0"] unless endpointAccess is "${EndpointMode.PUBLIC_AND_PRIVATE}"`;

const CROSS_KEY_RULES: {
  readonly [S in keyof AppConfig]: ReadonlyArray<CrossKeyRule<AppConfig[S]>>;
} = {
  infra: [
    {
      key: 'nodeMinSize',
      rule: 'at most nodeDesiredSize',
      holds: (infra) => infra.nodeMinSize <= infra.nodeDesiredSize,
      allowed: (infra) => `at most nodeDesiredSize (${infra.nodeDesiredSize})`,
    },
    {
      key: 'nodeDesiredSize',
      rule: 'at most nodeMaxSize',
      holds: (infra) => infra.nodeDesiredSize <= infra.nodeMaxSize,
      allowed: (infra) => `at most nodeMaxSize (${infra.nodeMaxSize})`,
    },
    {
      // EKS refuses a release of another minor than the node group's.
      key: 'nodeReleaseVersion',
      rule: 'a release of kubernetesVersion',
      holds: (infra) =>
        infra.nodeReleaseVersion === undefined ||
        infra.nodeReleaseVersion.startsWith(`${infra.kubernetesVersion}.`),
      allowed: (infra) =>
        `a release of kubernetesVersion ${infra.kubernetesVersion} ("${infra.kubernetesVersion}.<patch>-<date>"), or unset`,
    },
    {
      // EKS can only restrict a public endpoint by CIDR when the private endpoint is on too.
      key: 'endpointPublicCidrs',
      rule: PUBLIC_CIDRS_RULE,
      holds: (infra) =>
        infra.endpointAccess === EndpointMode.PUBLIC_AND_PRIVATE ||
        infra.endpointPublicCidrs.join() === '0.0.0.0/0',
      allowed: () => PUBLIC_CIDRS_RULE,
    },
  ],
  platform: [],
  operator: [],
};

/** The rules of a section named at run time, as code that walks the schema sees them. */
export function crossKeyRulesOf(
  section: string,
): ReadonlyArray<CrossKeyRule<Readonly<Record<string, unknown>>>> {
  const bySection = CROSS_KEY_RULES as unknown as Record<
    string,
    ReadonlyArray<CrossKeyRule<Readonly<Record<string, unknown>>>>
  >;
  return bySection[section];
}
