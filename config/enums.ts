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

/** What EKS does when the cluster's minor leaves standard support (its `UpgradePolicy`). */
export enum SupportType {
  /** EKS upgrades the control plane to the next minor by itself. */
  STANDARD = 'STANDARD',
  /** The cluster stays on its minor in extended support, billed at six times the fee. */
  EXTENDED = 'EXTENDED',
}
