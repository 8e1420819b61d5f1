/**
 * How the VPC is cut into subnets: per availability zone one public and one private subnet of
 * these prefixes. lib/network.ts builds them; config checks that `vpcCidr` can hold them.
 */
export const SUBNET_PREFIXES = { public: 24, private: 22 } as const;

/**
 * The longest VPC prefix that holds the subnets of `azs` zones, as aws-cdk-lib allocates them:
 * in order (every zone's public subnet, then every zone's private one), each at the next address
 * that is a multiple of its own size.
 */
export function longestVpcPrefixFor(azs: number): number {
  const sizes = [SUBNET_PREFIXES.public, SUBNET_PREFIXES.private].flatMap((prefix) =>
    Array<number>(azs).fill(2 ** (32 - prefix)),
  );
  const end = sizes.reduce((next, size) => Math.ceil(next / size) * size + size, 0);
  return 32 - Math.ceil(Math.log2(end));
}
