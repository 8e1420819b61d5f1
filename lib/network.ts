import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SUBNET_PREFIXES } from '../config';
import { skipCheckov } from './private/checkov';

export interface NetworkProps {
  /** VPC CIDR. */
  readonly cidr: string;
  /** Availability zones to spread subnets over. */
  readonly maxAzs: number;
  /**
   * NAT gateways; fewer than maxAzs trades resilience for cost.
   * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html
   */
  readonly natGateways: number;
}

/**
 * The cluster's VPC: a public and a private subnet per AZ, NAT for the private ones, and
 * flow logs of rejected traffic. The EKS cluster tags the subnets for load balancer discovery.
 */
export class Network extends Construct {
  /** The VPC the cluster and its nodes run in. */
  readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      maxAzs: props.maxAzs,
      natGateways: props.natGateways,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: SUBNET_PREFIXES.public },
        {
          name: 'Private',
          subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS,
          cidrMask: SUBNET_PREFIXES.private,
        },
      ],
    });

    // Rejected flows only: enough to debug security groups and NACLs without paying to log
    // every accepted packet of node and pod traffic.
    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    skipCheckov(flowLogGroup.node.defaultChild as logs.CfnLogGroup, [
      {
        id: 'CKV_AWS_158',
        comment:
          'flow records are connection metadata, encrypted at rest by CloudWatch Logs; a customer key would add cost and key-policy coupling without narrowing who can read them',
      },
    ]);
    this.vpc.addFlowLog('RejectedTraffic', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });
  }
}
