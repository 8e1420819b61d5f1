/**
 * The one home of every config key: its type, default, rule and description. `AppConfig`'s types,
 * the validation in `loadConfig` and the table in docs/configuration.md all come from here.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CONTROLLER_NAMESPACE, MAX_NODES } from '../controller/api';
import { ChangeEffect, inPlace, interrupts, replaces } from './change-effects';
import { EBS_SIZE_GIB } from './ebs';
import { EndpointMode, SupportType, ThroughputVolume } from './enums';
import { instanceTypes } from './instance-types';
import { DEFAULT_KUBERNETES_MINOR, SUPPORTED_KUBERNETES_MINORS } from './kubernetes-minors';
import { SUBNET_PREFIXES, longestVpcPrefixFor } from './network-layout';
import {
  ValueType,
  boolean,
  cidr,
  cidrList,
  integer,
  integerIn,
  list,
  namespaceList,
  oneOf,
  optional,
  quantity,
  text,
} from './value-types';

export interface Setting<T> {
  readonly type: ValueType<T>;
  /** What a change of the value does to the deployed AWS resources. */
  readonly onChange: ChangeEffect;
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
/** The retention periods CloudWatch Logs allows, as aws-cdk-lib lists them, without "never expire". */
const LOG_RETENTION_DAYS = Object.values(RetentionDays).filter(
  (days): days is number => typeof days === 'number' && days !== RetentionDays.INFINITE,
);

// EKS cluster names: 1-100 characters, start with a letter or digit, then letters, digits,
// hyphens and underscores. We also keep them DNS-safe (lowercase, no underscores), because the
// name ends up in kubeconfig contexts, tags and Cluster Autoscaler discovery tags.
const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]{0,98}[a-z0-9])?$/;
const CLUSTER_NAME_RULE =
  'a DNS label: 1-100 lowercase letters, digits and hyphens, not starting or ending with a hyphen';
const AVAILABILITY_ZONE = /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/;
const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@\-/]+$/;

/** `[registry[:port]/]path[:tag][@sha256:digest]`, with a tag other than latest or a digest. */
const PINNED_IMAGE = new RegExp(
  '^(?:[a-z0-9.-]+(?::\\d+)?/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*' +
    '(?::(?!latest$)\\w[\\w.-]{0,127}|(?::(?!latest@)\\w[\\w.-]{0,127})?@sha256:[a-f0-9]{64})$',
);

const ROLLS_NODES = 'a new launch template version rolls every node';
const NEW_MINOR = 'a new Kubernetes version rolls every node';
const MOVES_EGRESS = "moves private subnets' egress to another NAT gateway";

/** Every key of `cdk.json` context the project reads, by the part of the app it configures. */
export const CONFIG_SCHEMA = {
  infra: {
    clusterName: setting({
      type: text(CLUSTER_NAME, CLUSTER_NAME_RULE),
      default: 'bitcoin-platform',
      onChange: replaces(
        'AWS::EKS::AccessEntry',
        'AWS::EKS::Addon',
        'AWS::EKS::Cluster',
        'AWS::EKS::Nodegroup',
        'AWS::EKS::PodIdentityAssociation',
        'AWS::IAM::OIDCProvider',
      ),
      description: 'EKS cluster name; also used in tags and the kubeconfig context.',
    }),
    kubernetesVersion: setting({
      type: oneOf(SUPPORTED_KUBERNETES_MINORS, 'the supported minors'),
      default: DEFAULT_KUBERNETES_MINOR,
      onChange: interrupts(NEW_MINOR),
      description: 'Kubernetes minor; nodes and add-ons follow it, one minor up per deploy.',
    }),
    upgradePolicy: setting({
      type: oneOf(Object.values(SupportType)),
      default: SupportType.STANDARD,
      onChange: inPlace(),
      description:
        'When the minor leaves standard support: `STANDARD` lets EKS upgrade the control plane, `EXTENDED` keeps it at six times the fee.',
    }),
    vpcCidr: setting({
      type: cidr(16, 24),
      default: '10.0.0.0/16',
      onChange: replaces(
        'AWS::EC2::FlowLog',
        'AWS::EC2::NatGateway',
        'AWS::EC2::Route',
        'AWS::EC2::RouteTable',
        'AWS::EC2::SecurityGroup',
        'AWS::EC2::Subnet',
        'AWS::EC2::SubnetRouteTableAssociation',
        'AWS::EC2::VPC',
        'AWS::EC2::VPCGatewayAttachment',
        'AWS::EKS::Nodegroup',
      ),
      description: 'CIDR of the VPC.',
    }),
    maxAzs: setting({
      type: integer(2, 3),
      default: 2,
      onChange: replaces('AWS::EC2::Subnet', 'AWS::EKS::Nodegroup'),
      description:
        'Availability zones; 3 needs `account` and `region` for CDK to look the zones up. 2 to 3 adds subnets and replaces only the node group; 3 to 2 deletes subnets and is refused.',
    }),
    natGateways: setting({
      type: integer(1, 'maxAzs'),
      default: 1,
      onChange: interrupts(MOVES_EGRESS),
      description: 'NAT gateways: 1 is cheap, one per AZ survives an AZ outage.',
    }),
    nodeInstanceTypes: setting({
      type: instanceTypes(),
      default: ['t3.medium'],
      onChange: replaces('AWS::EKS::Nodegroup'),
      description: 'EC2 instance types of the managed node group.',
    }),
    nodeMinSize: setting({
      type: integer(0, 100),
      default: 1,
      onChange: inPlace(),
      description: 'Fewest nodes the Cluster Autoscaler keeps.',
    }),
    nodeDesiredSize: setting({
      // Scaling to zero is the autoscaler's job later: at creation the add-ons' and charts' Helm
      // releases wait for their pods, which need a node, and the autoscaler comes after them.
      type: integer(1, 100, 'the first deploy waits for pods that need a node'),
      default: 2,
      onChange: inPlace(),
      description: 'Nodes at creation.',
    }),
    nodeMaxSize: setting({
      type: integer(1, 100),
      default: 3,
      onChange: inPlace(),
      description: 'Most nodes the Cluster Autoscaler adds.',
    }),
    nodeMaxUnavailable: setting({
      type: integer(1, 'nodeMaxSize'),
      default: 1,
      onChange: inPlace(),
      description:
        'Nodes a node group update (new minor or AMI release) replaces at once; 1 moves one node of pods at a time.',
    }),
    nodeForceUpdate: setting({
      type: boolean(),
      default: false,
      onChange: inPlace(),
      description:
        'When a disruption budget still refuses a drain after 15 minutes: `false` fails the update, `true` lets EKS terminate the node anyway.',
    }),
    nodeReleaseVersion: setting({
      type: optional(text(RELEASE_VERSION, RELEASE_VERSION_RULE)),
      default: undefined,
      unsetMeans: 'the newest at creation and at each minor change, then kept',
      onChange: interrupts('a new AMI release rolls every node'),
      description:
        'AL2023 AMI release of the nodes within the minor; a newer one rolls them onto it (node patching).',
    }),
    nodeDiskSize: setting({
      type: integer(20, EBS_SIZE_GIB.gp3.max, 'the AMI needs 20; the gp3 maximum'),
      default: 20,
      onChange: interrupts(ROLLS_NODES),
      description: 'Root volume of each node, in GiB.',
    }),
    endpointAccess: setting({
      type: oneOf(Object.values(EndpointMode)),
      default: EndpointMode.PUBLIC_AND_PRIVATE,
      onChange: inPlace(),
      description: 'How the EKS API endpoint is reachable.',
    }),
    endpointPublicCidrs: setting({
      type: cidrList(),
      default: ['0.0.0.0/0'],
      onChange: inPlace(),
      description: 'CIDRs allowed to reach a public endpoint.',
    }),
    controlPlaneLogRetentionDays: setting({
      type: integerIn(LOG_RETENTION_DAYS, 'the retention periods CloudWatch Logs allows'),
      // A quarter: long enough to look back at the audit log after a finding, short enough that
      // a small cluster's audit trail stays cheap.
      default: 90,
      onChange: inPlace(),
      description:
        'Days CloudWatch Logs keeps the control-plane logs (`/aws/eks/<clusterName>/cluster`); `cdk destroy` deletes the group.',
    }),
    adminPrincipalArns: setting({
      type: list(
        IAM_PRINCIPAL_ARN,
        'IAM role or user ARNs like "arn:aws:iam::123456789012:role/Admin"',
      ),
      default: [],
      onChange: inPlace(),
      description:
        'IAM users or roles granted cluster admin, besides the first deployer recorded in cdk.context.json.',
    }),
    sshKeyName: setting({
      type: optional(text(/^[\x20-\x7e]{1,255}$/, 'an EC2 key pair name')),
      default: undefined,
      unsetMeans: 'no SSH key',
      onChange: interrupts(ROLLS_NODES),
      description: 'EC2 key pair for SSH to nodes; SSM Session Manager works without one.',
    }),
    account: setting({
      type: optional(text(/^\d{12}$/, 'a 12-digit AWS account id')),
      default: undefined,
      unsetMeans: 'environment-agnostic unless the CLI knows CDK_DEFAULT_ACCOUNT',
      onChange: replaces(
        'AWS::EC2::NatGateway',
        'AWS::EC2::Subnet',
        'AWS::EC2::SubnetRouteTableAssociation',
        'AWS::EKS::Nodegroup',
      ),
      description:
        'AWS account to deploy to. Another account or region is another stack; setting both on a deployed environment-agnostic stack moves its subnets to looked-up zones and is refused.',
    }),
    region: setting({
      type: optional(text(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region like "eu-west-1"')),
      default: undefined,
      unsetMeans: 'environment-agnostic unless the CLI knows CDK_DEFAULT_REGION',
      onChange: replaces(
        'AWS::EC2::NatGateway',
        'AWS::EC2::Subnet',
        'AWS::EC2::SubnetRouteTableAssociation',
        'AWS::EKS::Nodegroup',
      ),
      description: 'AWS region to deploy to; see `account`.',
    }),
  },
  platform: {
    webReplicas: setting({
      type: integer(1, 20),
      default: 2,
      onChange: inPlace(),
      description:
        "Replicas of the tomcat and alpine Deployments; httpd's count is its HPA's (1 to 10).",
    }),
    releaseHttpdReplicas: setting({
      type: boolean(),
      default: false,
      onChange: inPlace(),
      description:
        "`true` for the first deploy onto a cluster whose httpd an earlier version gave `replicas`: a patch before the workloads chart's update keeps the HPA's count, which the update would otherwise reset to 1. Fails on a new cluster (no httpd yet); harmless left on after.",
    }),
    alpineLoadBalancer: setting({
      type: boolean(),
      default: false,
      onChange: inPlace(),
      description: 'Also expose alpine through a LoadBalancer Service (an NLB, billed hourly).',
    }),
    demoVolumeSize: setting({
      type: quantity({ maxGib: EBS_SIZE_GIB.gp3.max, why: 'the gp3 maximum' }),
      default: '4Gi',
      onChange: inPlace(),
      description: 'Size of the demo PVC on the default `gp3` class.',
    }),
    throughputVolume: setting({
      type: oneOf(Object.values(ThroughputVolume)),
      default: ThroughputVolume.NONE,
      onChange: inPlace(),
      description: 'Opt-in HDD demo volume: `st1`, or `cold` (sc1).',
    }),
    throughputVolumeSize: setting({
      type: quantity({
        minGib: EBS_SIZE_GIB.st1.min,
        maxGib: EBS_SIZE_GIB.st1.max,
        why: 'the st1/sc1 limits',
      }),
      default: `${EBS_SIZE_GIB.st1.min}Gi`,
      onChange: inPlace(),
      description: 'Size of the throughput volume.',
    }),
    staticVolumeId: setting({
      type: optional(text(/^vol-[0-9a-f]{8,17}$/, 'an EBS volume id like "vol-0123456789abcdef0"')),
      default: undefined,
      unsetMeans: 'no static volume',
      onChange: inPlace(),
      description: 'An existing EBS volume to mount through a static PersistentVolume (EKS only).',
    }),
    staticVolumeZone: setting({
      type: optional(text(AVAILABILITY_ZONE, 'an availability zone like "eu-west-1a"')),
      default: undefined,
      unsetMeans: 'no static volume',
      onChange: inPlace(),
      description:
        'The availability zone of `staticVolumeId`; its pod is scheduled there, as EBS volumes attach only in their own zone.',
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
      onChange: inPlace(),
      description: 'A prebuilt controller image.',
    }),
    sampleNetworkNodes: setting({
      type: integer(0, MAX_NODES),
      default: 3,
      onChange: inPlace(),
      description: 'Nodes of the sample BitcoinNetwork; the ceiling is the CRD maximum.',
    }),
    controllerNamespaces: setting({
      // Its Role there is the leader-election Role, of the same name; and its NetworkPolicies
      // admit nothing but the health port, so bitcoind could not reach its peers.
      type: namespaceList(CONTROLLER_NAMESPACE, "the controller's own"),
      default: [],
      onChange: inPlace(),
      description:
        "Namespaces the controller serves BitcoinNetworks in, with grants there only (Roles); `bitcoin`, the sample network's, is always one. Empty: every namespace, through a ClusterRole. Each must exist before deploy; see docs/operator.md#namespaced-mode.",
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

const SUBNETS_PER_ZONE = `a public /${SUBNET_PREFIXES.public} and a private /${SUBNET_PREFIXES.private} subnet per zone`;
const prefixOf = (cidr: string): number => Number(cidr.split('/')[1]);

const CROSS_KEY_RULES: {
  readonly [S in keyof AppConfig]: ReadonlyArray<CrossKeyRule<AppConfig[S]>>;
} = {
  infra: [
    {
      key: 'vpcCidr',
      rule: `room for maxAzs zones of ${SUBNETS_PER_ZONE}`,
      holds: (infra) => prefixOf(infra.vpcCidr) <= longestVpcPrefixFor(infra.maxAzs),
      allowed: (infra) =>
        `a prefix of /${longestVpcPrefixFor(infra.maxAzs)} or shorter, to hold ${infra.maxAzs} zones of ${SUBNETS_PER_ZONE}`,
    },
    {
      // Without both, CDK cannot look the zones up and an environment-agnostic stack gets 2.
      key: 'maxAzs',
      rule: '2 unless account and region are set',
      holds: (infra) =>
        infra.maxAzs === 2 || (infra.account !== undefined && infra.region !== undefined),
      allowed: () =>
        '2 unless account and region are set (an environment-agnostic stack spans only 2 zones)',
    },
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
  platform: [
    {
      key: 'staticVolumeZone',
      rule: 'set exactly when staticVolumeId is set',
      holds: (platform) =>
        (platform.staticVolumeId === undefined) === (platform.staticVolumeZone === undefined),
      allowed: (platform) =>
        platform.staticVolumeId === undefined
          ? 'unset while staticVolumeId is unset'
          : `the availability zone of staticVolumeId (${platform.staticVolumeId}), like "eu-west-1a"`,
    },
  ],
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
