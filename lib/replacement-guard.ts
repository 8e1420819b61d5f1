import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { CfnResource, CustomResource, Duration, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { GuardedType } from '../config';
import { handledResource } from './private/handled-resource';

/** The resource type the guard is, in the template and in CloudFormation's events. */
export const REPLACEMENT_GUARD_TYPE = 'Custom::ReplacementGuard';

/**
 * The create-only properties (cfn-lint's resource schemas) of the guarded resources that this
 * stack sets to values of its own, by type. The others are unset, or refer to another resource:
 * a subnet's `VpcId` is the guarded VPC, the cluster's `RoleArn` and `EncryptionConfig` are its
 * role and key, which no config key changes. test/lib/replacement-guard.test.ts keeps this true.
 */
export const GUARDED_CREATE_ONLY: Readonly<Record<GuardedType, readonly string[]>> = {
  'AWS::EC2::VPC': ['CidrBlock'],
  'AWS::EC2::Subnet': ['AvailabilityZone', 'CidrBlock'],
  'AWS::EKS::Cluster': ['Name', 'KubernetesNetworkConfig/IpFamily'],
};

export interface ReplacementGuardProps {
  /** The VPC to guard, with its public and private subnets. */
  readonly vpc: ec2.Vpc;
  /** The L1 cluster: aws-eks-v2's `Cluster.node.defaultChild`. */
  readonly cluster: eks.CfnCluster;
}

/**
 * `Custom::ReplacementGuard`: refuses a deploy that would replace or delete the VPC, a subnet or
 * the EKS cluster. Replacing any of them leaves the old cluster's load balancers, security groups
 * and volumes behind (the kubectl handler's Update goes to the new cluster, no Delete reaches the
 * old one), still billed, and can make the old VPC's deletion fail on them.
 *
 * Its properties are the values of the guarded resources' create-only properties, and those
 * resources depend on it: CloudFormation updates the guard first, and its FAILED Update, with a
 * one-line reason, rolls the stack back before anything is replaced. Why a custom resource and
 * not a stack policy or a change-set review is in docs/decisions.md.
 */
export class ReplacementGuard extends Construct {
  /** The guard's custom resource, which every guarded resource depends on. */
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: ReplacementGuardProps) {
    super(scope, id);
    const guarded: CfnResource[] = [
      props.vpc.node.defaultChild as ec2.CfnVPC,
      ...[...props.vpc.publicSubnets, ...props.vpc.privateSubnets].map(
        (subnet) => subnet.node.defaultChild as ec2.CfnSubnet,
      ),
      props.cluster,
    ];

    this.resource = handledResource(this, {
      resourceType: REPLACEMENT_GUARD_TYPE,
      handler: 'replacement-guard',
      description:
        'Refuses a stack update that would replace or delete the VPC, a subnet or the EKS cluster',
      timeout: Duration.minutes(1),
      logHolds: 'CIDRs, zone and cluster names only',
      properties: {
        Guarded: Object.fromEntries(
          guarded.map((resource) => [guardedName(resource), valuesOf(resource)]),
        ),
      },
    }).resource;
    for (const resource of guarded) resource.node.addDependency(this.resource);
  }
}

/** The resource's construct path below the stack, which is what a reader recognises. */
function guardedName(resource: CfnResource): string {
  const stackPath = Stack.of(resource).node.path;
  return resource.node.path.slice(stackPath.length + 1).replace(/\/Resource$/, '');
}

/** The type and the values of the guarded create-only properties, through the L1 getters. */
function valuesOf(resource: CfnResource): Record<string, unknown> {
  const values: Record<string, unknown> = { Type: resource.cfnResourceType };
  for (const pointer of GUARDED_CREATE_ONLY[resource.cfnResourceType as GuardedType]) {
    const value = pointer
      .split('/')
      .reduce<unknown>(
        (object, name) => (object as Record<string, unknown> | undefined)?.[lowerFirst(name)],
        resource,
      );
    if (value !== undefined) values[pointer] = value;
  }
  // CloudFormation resolves Fn::GetAZs before the guard sees the zones, so a stack that changes
  // from environment-agnostic to pinned (or back) shows the same names while the subnets'
  // property turns from a function into a literal. Whether CloudFormation then replaces them is
  // not documented: the guard refuses it.
  if (resource instanceof ec2.CfnSubnet) {
    values['AvailabilityZone from'] = Token.isUnresolved(resource.availabilityZone)
      ? 'Fn::GetAZs'
      : 'the availability-zones lookup in cdk.context.json';
  }
  return values;
}

function lowerFirst(name: string): string {
  return name[0].toLowerCase() + name.slice(1);
}
