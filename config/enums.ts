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
