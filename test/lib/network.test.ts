import { platformTemplate } from '../helpers/template';

// Synthesised once for the whole file: a full synth takes seconds.
const { template } = platformTemplate();

describe('VPC', () => {
  test('has a public and a private subnet in each of two AZs, and one NAT gateway', () => {
    template.resourceCountIs('AWS::EC2::Subnet', 4);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
  });

  test('tags subnets so that load balancers find them', () => {
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet'));
    const tagKeys = (s: any) => s.Properties.Tags.map((t: { Key: string }) => t.Key);
    expect(subnets.filter((s) => tagKeys(s).includes('kubernetes.io/role/elb'))).toHaveLength(2);
    expect(
      subnets.filter((s) => tagKeys(s).includes('kubernetes.io/role/internal-elb')),
    ).toHaveLength(2);
  });

  test('logs rejected flows', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      TrafficType: 'REJECT',
      ResourceType: 'VPC',
    });
  });
});
