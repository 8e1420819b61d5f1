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

/** Minor versions with a published `@aws-cdk/lambda-layer-kubectl-vNN` that this project installs. */
export const SUPPORTED_KUBERNETES_VERSIONS = ['1.35'] as const;

/** The smallest st1 and sc1 EBS volume, in GiB. */
export const HDD_MIN_GIB = 125;
