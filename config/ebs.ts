/**
 * The sizes EBS accepts per volume type, in GiB. A claim outside them passes Kubernetes and then
 * leaves its pod Pending with the driver's CreateVolume error.
 * @see https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html
 */
export const EBS_SIZE_GIB = {
  // gp3 grew from 16 TiB to 64 TiB in September 2025.
  gp3: { min: 1, max: 65_536 },
  st1: { min: 125, max: 16_384 },
  sc1: { min: 125, max: 16_384 },
} as const;

export type EbsVolumeType = keyof typeof EBS_SIZE_GIB;
