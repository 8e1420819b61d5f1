import { ConfigError, loadConfig } from '../../config';

const load = (context: Record<string, unknown>) => () => loadConfig((key) => context[key]);

describe('loadConfig', () => {
  test('defaults match the documented values', () => {
    const { infra, platform, operator } = loadConfig(() => undefined);
    expect(infra).toMatchObject({
      clusterName: 'bitcoin-platform',
      kubernetesVersion: '1.36',
      vpcCidr: '10.0.0.0/16',
      maxAzs: 2,
      natGateways: 1,
      nodeInstanceTypes: ['t3.medium'],
      nodeMinSize: 1,
      nodeDesiredSize: 2,
      nodeMaxSize: 3,
      nodeDiskSize: 20,
      endpointAccess: 'public-and-private',
      endpointPublicCidrs: ['0.0.0.0/0'],
      adminPrincipalArns: [],
      upgradePolicy: 'STANDARD',
      nodeMaxUnavailable: 1,
      nodeForceUpdate: false,
    });
    expect(infra.nodeReleaseVersion).toBeUndefined();
    expect(infra.account).toBeUndefined();
    expect(platform).toMatchObject({
      webReplicas: 2,
      alpineLoadBalancer: false,
      demoVolumeSize: '4Gi',
    });
    expect(operator.sampleNetworkNodes).toBe(3);
  });

  test('command-line strings are parsed like their JSON forms', () => {
    const { infra, platform } = loadConfig(
      (key) =>
        ({
          nodeMaxSize: '5',
          nodeInstanceTypes: 't3.large, m6i.large',
          alpineLoadBalancer: 'true',
          adminPrincipalArns: 'arn:aws:iam::123456789012:role/Admin',
        })[key],
    );
    expect(infra.nodeMaxSize).toBe(5);
    expect(infra.nodeInstanceTypes).toEqual(['t3.large', 'm6i.large']);
    expect(infra.adminPrincipalArns).toEqual(['arn:aws:iam::123456789012:role/Admin']);
    expect(platform.alpineLoadBalancer).toBe(true);
  });

  test.each([
    [
      'min above desired',
      { nodeMinSize: 3 },
      'Invalid config "nodeMinSize": got 3; expected at most nodeDesiredSize (2).',
    ],
    [
      'desired above max',
      { nodeDesiredSize: 4 },
      'Invalid config "nodeDesiredSize": got 4; expected at most nodeMaxSize (3).',
    ],
    [
      'max below 1',
      { nodeMaxSize: 0, nodeDesiredSize: 0, nodeMinSize: 0 },
      'Invalid config "nodeMaxSize": got 0; expected a whole number from 1 to 100.',
    ],
    [
      'an invalid CIDR',
      { vpcCidr: '10.0.0.300/16' },
      'Invalid config "vpcCidr": got "10.0.0.300/16"; expected an IPv4 CIDR with a prefix from /16 to /24, like "10.0.0.0/16".',
    ],
    [
      'a too-small CIDR',
      { vpcCidr: '10.0.0.0/26' },
      'Invalid config "vpcCidr": got "10.0.0.0/26"; expected an IPv4 CIDR with a prefix from /16 to /24',
    ],
    [
      'a CIDR with host bits',
      { vpcCidr: '10.0.0.1/16' },
      'Invalid config "vpcCidr": got "10.0.0.1/16"',
    ],
    [
      'an unsupported version',
      { kubernetesVersion: '1.37' },
      'Invalid config "kubernetesVersion": got "1.37"; expected one of "1.35", "1.36" (the supported minors).',
    ],
    [
      'an upgrade policy EKS does not know',
      { upgradePolicy: 'LTS' },
      'Invalid config "upgradePolicy": got "LTS"; expected one of "STANDARD", "EXTENDED".',
    ],
    [
      'no node at a time',
      { nodeMaxUnavailable: 0 },
      'Invalid config "nodeMaxUnavailable": got 0; expected a whole number from 1 to 3.',
    ],
    [
      'more nodes at a time than the group can have',
      { nodeMaxUnavailable: 4 },
      'Invalid config "nodeMaxUnavailable": got 4; expected a whole number from 1 to 3.',
    ],
    [
      'a force setting that is not a boolean',
      { nodeForceUpdate: 'yes' },
      'Invalid config "nodeForceUpdate": got "yes"; expected true or false.',
    ],
    [
      'an AMI release that is not one',
      { nodeReleaseVersion: 'latest' },
      'Invalid config "nodeReleaseVersion": got "latest"; expected an AMI release like "1.36.3-20261201".',
    ],
    [
      "an AMI release of another minor than the cluster's",
      { nodeReleaseVersion: '1.35.2-20261101' },
      'Invalid config "nodeReleaseVersion": got "1.35.2-20261101"; expected a release of kubernetesVersion 1.36 ("1.36.<patch>-<date>"), or unset.',
    ],
    [
      'a non-DNS cluster name',
      { clusterName: 'My_Cluster' },
      'Invalid config "clusterName": got "My_Cluster"; expected a DNS label',
    ],
    [
      'an unknown endpoint mode',
      { endpointAccess: 'internal' },
      'Invalid config "endpointAccess": got "internal"; expected one of "public", "private", "public-and-private".',
    ],
    [
      'a malformed ARN',
      { adminPrincipalArns: ['arn:aws:iam::12345:role/Admin'] },
      'Invalid config "adminPrincipalArns": got ["arn:aws:iam::12345:role/Admin"]; expected a list of IAM role or user ARNs',
    ],
    [
      'a non-numeric size',
      { nodeDiskSize: 'big' },
      'Invalid config "nodeDiskSize": got "big"; expected a whole number from 20 to 16384.',
    ],
    [
      'a fractional count',
      { maxAzs: 2.5 },
      'Invalid config "maxAzs": got 2.5; expected a whole number from 2 to 3.',
    ],
    [
      'more NAT gateways than AZs',
      { natGateways: 3 },
      'Invalid config "natGateways": got 3; expected a whole number from 1 to 2.',
    ],
    [
      'a bad public CIDR',
      { endpointPublicCidrs: ['1.2.3.4/40'] },
      'Invalid config "endpointPublicCidrs": got ["1.2.3.4/40"]; expected a list of IPv4 CIDRs',
    ],
    [
      'public CIDRs with a public-only endpoint',
      { endpointAccess: 'public', endpointPublicCidrs: ['203.0.113.0/24'] },
      'Invalid config "endpointPublicCidrs": got ["203.0.113.0/24"]; expected ["0.0.0.0/0"] unless endpointAccess is "public-and-private"',
    ],
    [
      'a malformed account',
      { account: '1234' },
      'Invalid config "account": got "1234"; expected a 12-digit AWS account id.',
    ],
    [
      'a malformed region',
      { region: 'mars' },
      'Invalid config "region": got "mars"; expected an AWS region like "eu-west-1".',
    ],
    [
      'a malformed instance type',
      { nodeInstanceTypes: ['t3medium'] },
      'Invalid config "nodeInstanceTypes": got ["t3medium"]; expected a list of instance types',
    ],
  ])('rejects %s with a message naming the key', (_case, context, message) => {
    expect(load(context)).toThrow(ConfigError);
    expect(load(context)).toThrow(message);
  });
});
