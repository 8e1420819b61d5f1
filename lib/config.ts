/**
 * The project's whole configuration: typed, defaulted and validated in one place.
 *
 * Values come from `cdk.json` context and can be overridden with `cdk synth -c key=value`.
 * Context given on the command line is always a string, so every reader accepts both the
 * JSON type and its string spelling. Every check throws a {@link ConfigError} that names the
 * key, the value given and what is allowed.
 */

import { MAX_NODES } from '../controller/api';

/** A configuration value that cannot be used. The message is meant for the terminal as is. */
export class ConfigError extends Error {
  constructor(key: string, value: unknown, allowed: string) {
    super(`Invalid config "${key}": got ${JSON.stringify(value)}; expected ${allowed}.`);
    this.name = 'ConfigError';
  }
}

/** How the EKS API endpoint is reachable. */
export enum EndpointMode {
  PUBLIC = 'public',
  PRIVATE = 'private',
  PUBLIC_AND_PRIVATE = 'public-and-private',
}

/** Where the throughput-optimised demo volume lives, if anywhere. */
export enum ThroughputVolume {
  NONE = 'none',
  ST1 = 'st1',
  COLD = 'cold',
}

export interface InfraConfig {
  /** EKS cluster name. @default 'bitcoin-platform' */
  readonly clusterName: string;
  /** Kubernetes minor version; needs a matching kubectl Lambda layer. @default '1.35' */
  readonly kubernetesVersion: string;
  /** VPC CIDR, /16 to /24. @default '10.0.0.0/16' */
  readonly vpcCidr: string;
  /** Availability zones, 2 or 3. @default 2 */
  readonly maxAzs: number;
  /** NAT gateways, 1 (cheap) up to maxAzs (one per AZ, resilient). @default 1 */
  readonly natGateways: number;
  /** Node EC2 instance types. @default ['t3.medium'] */
  readonly nodeInstanceTypes: string[];
  /** @default 1 */
  readonly nodeMinSize: number;
  /** @default 2 */
  readonly nodeDesiredSize: number;
  /** @default 3 */
  readonly nodeMaxSize: number;
  /** Node root volume in GiB. @default 20 */
  readonly nodeDiskSize: number;
  /** @default public-and-private */
  readonly endpointAccess: EndpointMode;
  /** CIDRs allowed to reach a public endpoint. @default ['0.0.0.0/0'] */
  readonly endpointPublicCidrs: string[];
  /** IAM users or roles granted cluster admin, besides the deployer. @default [] */
  readonly adminPrincipalArns: string[];
  /** EC2 key pair for SSH to nodes; SSM Session Manager works without one. @default - none */
  readonly sshKeyName?: string;
  /** @default - environment-agnostic unless CDK_DEFAULT_ACCOUNT is known */
  readonly account?: string;
  /** @default - environment-agnostic unless CDK_DEFAULT_REGION is known */
  readonly region?: string;
}

export interface PlatformConfig {
  /** Replicas of the httpd, tomcat and alpine Deployments. @default 2 */
  readonly webReplicas: number;
  /** Also expose alpine through a LoadBalancer Service (an NLB, billed hourly). @default false */
  readonly alpineLoadBalancer: boolean;
  /** Size of the demo PVC on the default gp3 class. @default '4Gi' */
  readonly demoVolumeSize: string;
  /** Opt-in throughput HDD demo volume. @default none */
  readonly throughputVolume: ThroughputVolume;
  /** Its size; st1 and sc1 volumes are at least 125 GiB. @default '125Gi' */
  readonly throughputVolumeSize: string;
  /** An existing EBS volume to mount through a static PersistentVolume. @default - none */
  readonly staticVolumeId?: string;
}

export interface OperatorConfig {
  /** A prebuilt controller image; when unset the image is built from controller/Dockerfile. */
  readonly controllerImage?: string;
  /** Nodes of the sample BitcoinNetwork. @default 3 */
  readonly sampleNetworkNodes: number;
}

export interface AppConfig {
  readonly infra: InfraConfig;
  readonly platform: PlatformConfig;
  readonly operator: OperatorConfig;
}

/** Minor versions with a published `@aws-cdk/lambda-layer-kubectl-vNN` that this project installs. */
export const SUPPORTED_KUBERNETES_VERSIONS = ['1.35'] as const;

/** The CRD's ceiling on `spec.nodes`, which the sample network's size must respect. */
export const MAX_NETWORK_NODES = MAX_NODES;

/** The smallest st1 and sc1 EBS volume, in GiB. */
export const HDD_MIN_GIB = 125;

/** Reads one context key; returns undefined when unset. */
export type ContextReader = (key: string) => unknown;

export function loadConfig(read: ContextReader): AppConfig {
  const r = new Reader(read);
  return { infra: loadInfra(r), platform: loadPlatform(r), operator: loadOperator(r) };
}

function loadInfra(r: Reader): InfraConfig {
  const clusterName = r.string('clusterName', 'bitcoin-platform', CLUSTER_NAME, CLUSTER_NAME_RULE);
  const kubernetesVersion = r.oneOf(
    'kubernetesVersion',
    '1.35',
    SUPPORTED_KUBERNETES_VERSIONS,
    'a version with a matching kubectl layer',
  );
  const vpcCidr = r.cidr('vpcCidr', '10.0.0.0/16', 16, 24);
  const maxAzs = r.integer('maxAzs', 2, 2, 3);
  const natGateways = r.integer('natGateways', 1, 1, maxAzs);
  const nodeMinSize = r.integer('nodeMinSize', 1, 0, 100);
  const nodeDesiredSize = r.integer('nodeDesiredSize', 2, 0, 100);
  const nodeMaxSize = r.integer('nodeMaxSize', 3, 1, 100);
  if (nodeMinSize > nodeDesiredSize) {
    throw new ConfigError(
      'nodeMinSize',
      nodeMinSize,
      `at most nodeDesiredSize (${nodeDesiredSize})`,
    );
  }
  if (nodeDesiredSize > nodeMaxSize) {
    throw new ConfigError(
      'nodeDesiredSize',
      nodeDesiredSize,
      `at most nodeMaxSize (${nodeMaxSize})`,
    );
  }
  const endpointAccess = r.oneOf(
    'endpointAccess',
    EndpointMode.PUBLIC_AND_PRIVATE,
    Object.values(EndpointMode),
  );
  const endpointPublicCidrs = r.cidrList('endpointPublicCidrs', ['0.0.0.0/0']);
  // EKS can only restrict a public endpoint by CIDR when the private endpoint is on too.
  if (
    endpointAccess !== EndpointMode.PUBLIC_AND_PRIVATE &&
    endpointPublicCidrs.join() !== '0.0.0.0/0'
  ) {
    throw new ConfigError(
      'endpointPublicCidrs',
      endpointPublicCidrs,
      `["0.0.0.0/0"] unless endpointAccess is "${EndpointMode.PUBLIC_AND_PRIVATE}"`,
    );
  }
  return {
    clusterName,
    kubernetesVersion,
    vpcCidr,
    maxAzs,
    natGateways,
    nodeInstanceTypes: r.list(
      'nodeInstanceTypes',
      ['t3.medium'],
      INSTANCE_TYPE,
      'instance types like "t3.medium"',
    ),
    nodeMinSize,
    nodeDesiredSize,
    nodeMaxSize,
    nodeDiskSize: r.integer('nodeDiskSize', 20, 20, 16384),
    endpointAccess,
    endpointPublicCidrs,
    adminPrincipalArns: r.list('adminPrincipalArns', [], IAM_PRINCIPAL_ARN, IAM_PRINCIPAL_RULE),
    sshKeyName: r.optionalString('sshKeyName', /^[\x20-\x7e]{1,255}$/, 'an EC2 key pair name'),
    account: r.optionalString('account', /^\d{12}$/, 'a 12-digit AWS account id'),
    region: r.optionalString('region', /^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region like "eu-west-1"'),
  };
}

function loadPlatform(r: Reader): PlatformConfig {
  const throughputVolumeSize = r.quantity('throughputVolumeSize', `${HDD_MIN_GIB}Gi`);
  if (gibibytes(throughputVolumeSize) < HDD_MIN_GIB) {
    throw new ConfigError(
      'throughputVolumeSize',
      throughputVolumeSize,
      'at least 125Gi (the st1/sc1 minimum)',
    );
  }
  return {
    webReplicas: r.integer('webReplicas', 2, 1, 20),
    alpineLoadBalancer: r.boolean('alpineLoadBalancer', false),
    demoVolumeSize: r.quantity('demoVolumeSize', '4Gi'),
    throughputVolume: r.oneOf(
      'throughputVolume',
      ThroughputVolume.NONE,
      Object.values(ThroughputVolume),
    ),
    throughputVolumeSize,
    staticVolumeId: r.optionalString(
      'staticVolumeId',
      /^vol-[0-9a-f]{8,17}$/,
      'an EBS volume id like "vol-0123456789abcdef0"',
    ),
  };
}

function loadOperator(r: Reader): OperatorConfig {
  return {
    controllerImage: r.optionalString(
      'controllerImage',
      /^[a-z0-9]+([._\-/:@][a-zA-Z0-9]+)*$/,
      'an image reference like "registry/repo:tag"',
    ),
    sampleNetworkNodes: r.integer('sampleNetworkNodes', 3, 0, MAX_NETWORK_NODES),
  };
}

// EKS cluster names: 1-100 characters, start with a letter or digit, then letters, digits,
// hyphens and underscores. We also keep them DNS-safe (lowercase, no underscores), because the
// name ends up in kubeconfig contexts, tags and Cluster Autoscaler discovery tags.
const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]{0,98}[a-z0-9])?$/;
const CLUSTER_NAME_RULE =
  'a DNS label: 1-100 lowercase letters, digits and hyphens, not starting or ending with a hyphen';
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@\-/]+$/;
const IAM_PRINCIPAL_RULE = 'IAM role or user ARNs like "arn:aws:iam::123456789012:role/Admin"';
const QUANTITY = /^([1-9]\d*)(Mi|Gi|Ti)$/;
const QUANTITY_RULE = 'a size like "4Gi" (a positive whole number with Mi, Gi or Ti)';

/** A Kubernetes quantity in Mi, Gi or Ti, converted to GiB. */
export function gibibytes(quantity: string): number {
  const [, amount, unit] = QUANTITY.exec(quantity) ?? [];
  const perGi: Record<string, number> = { Mi: 1 / 1024, Gi: 1, Ti: 1024 };
  return Number(amount) * perGi[unit];
}

/** Typed access to context values, each falling back to its default when unset. */
class Reader {
  constructor(private readonly read: ContextReader) {}

  string(key: string, fallback: string, pattern: RegExp, rule: string): string {
    const value = this.read(key) ?? fallback;
    if (typeof value !== 'string' || !pattern.test(value)) throw new ConfigError(key, value, rule);
    return value;
  }

  optionalString(key: string, pattern: RegExp, rule: string): string | undefined {
    const value = this.read(key);
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string' || !pattern.test(value)) throw new ConfigError(key, value, rule);
    return value;
  }

  oneOf<T extends string>(key: string, fallback: T, allowed: readonly T[], why?: string): T {
    const value = this.read(key) ?? fallback;
    if (!allowed.includes(value as T)) {
      const list = allowed.map((a) => JSON.stringify(a)).join(', ');
      throw new ConfigError(key, value, `one of ${list}${why ? ` (${why})` : ''}`);
    }
    return value as T;
  }

  integer(key: string, fallback: number, min: number, max: number): number {
    const raw = this.read(key) ?? fallback;
    const value = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(key, raw, `a whole number from ${min} to ${max}`);
    }
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.read(key) ?? fallback;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw new ConfigError(key, value, 'true or false');
  }

  quantity(key: string, fallback: string): string {
    return this.string(key, fallback, QUANTITY, QUANTITY_RULE);
  }

  /** A list given as a JSON array, or on the command line as comma-separated text. */
  list(key: string, fallback: string[], pattern: RegExp, rule: string): string[] {
    const raw = this.read(key) ?? fallback;
    const items =
      typeof raw === 'string'
        ? raw
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : raw;
    if (!Array.isArray(items) || !items.every((i) => typeof i === 'string' && pattern.test(i))) {
      throw new ConfigError(key, raw, `a list of ${rule}`);
    }
    return items;
  }

  cidr(key: string, fallback: string, minPrefix: number, maxPrefix: number): string {
    const value = this.read(key) ?? fallback;
    const rule = `an IPv4 CIDR with a prefix from /${minPrefix} to /${maxPrefix}, like "10.0.0.0/16"`;
    if (typeof value !== 'string' || !isCidr(value, minPrefix, maxPrefix)) {
      throw new ConfigError(key, value, rule);
    }
    return value;
  }

  cidrList(key: string, fallback: string[]): string[] {
    const items = this.list(key, fallback, /./, 'IPv4 CIDRs like "203.0.113.0/24"');
    if (!items.every((c) => isCidr(c, 0, 32))) {
      throw new ConfigError(key, this.read(key), 'a list of IPv4 CIDRs like "203.0.113.0/24"');
    }
    return items;
  }
}

/** True for a well-formed IPv4 CIDR whose prefix is in range and whose host bits are zero. */
function isCidr(value: string, minPrefix: number, maxPrefix: number): boolean {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!match) return false;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix < minPrefix || prefix > maxPrefix) return false;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const hostBits = 2 ** (32 - prefix);
  return address % hostBits === 0;
}
