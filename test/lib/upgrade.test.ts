/**
 * A version change is one `cdk deploy`: the node group and every add-on follow the cluster's
 * minor, in the order EKS documents (control plane, then nodes, then add-ons), with update
 * settings and the upgrade policy from config.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { isOrderedAfter } from '../helpers/graph';
import { synthPlatform } from '../helpers/synth';
import { platformTemplate } from '../helpers/template';

// Synthesised once for the whole file: a full synth takes seconds.
const { template, resources, logicalId } = platformTemplate();

const cluster = () => logicalId('AWS::EKS::Cluster');
const nodegroup = () => logicalId('AWS::EKS::Nodegroup');
const lookup = () => logicalId('Custom::EksAddonVersions');
const addons = () =>
  Object.entries(resources).filter(([, r]) => r.Type === 'AWS::EKS::Addon') as Array<
    [string, { Properties: any; DependsOn?: string[] }]
  >;

describe('the node group', () => {
  test("runs the cluster's minor", () => {
    template.hasResourceProperties('AWS::EKS::Nodegroup', { Version: '1.36' });
  });

  test('is updated one node at a time, and a drain a disruption budget refuses fails it', () => {
    template.hasResourceProperties('AWS::EKS::Nodegroup', {
      UpdateConfig: { MaxUnavailable: 1 },
      ForceUpdateEnabled: false,
    });
  });

  test('takes the newest AMI release unless one is configured', () => {
    expect(resources[nodegroup()].Properties.ReleaseVersion).toBeUndefined();
  });

  test('takes its update settings and AMI release from config', () => {
    synthPlatform({
      nodeMaxUnavailable: 2,
      nodeForceUpdate: true,
      nodeReleaseVersion: '1.36.3-20261201',
    }).hasResourceProperties('AWS::EKS::Nodegroup', {
      Version: '1.36',
      ReleaseVersion: '1.36.3-20261201',
      UpdateConfig: { MaxUnavailable: 2 },
      ForceUpdateEnabled: true,
    });
  });

  test('is updated after the control plane', () => {
    expect(isOrderedAfter(resources, nodegroup(), cluster())).toBe(true);
  });
});

describe('the upgrade policy', () => {
  test('is standard support unless extended support is chosen', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', {
      UpgradePolicy: { SupportType: 'STANDARD' },
    });
    synthPlatform({ upgradePolicy: 'EXTENDED' }).hasResourceProperties('AWS::EKS::Cluster', {
      UpgradePolicy: { SupportType: 'EXTENDED' },
    });
  });
});

describe('the EKS add-ons', () => {
  test('include CoreDNS and kube-proxy, taken over from their self-managed installs', () => {
    for (const AddonName of ['coredns', 'kube-proxy']) {
      const id = logicalId('AWS::EKS::Addon', {
        AddonName,
        ResolveConflicts: 'OVERWRITE',
        PreserveOnDelete: true,
      });
      expect(isOrderedAfter(resources, id, nodegroup())).toBe(true);
    }
  });

  test('CoreDNS keeps two replicas, so a drain always leaves one serving', () => {
    const id = logicalId('AWS::EKS::Addon', { AddonName: 'coredns' });
    expect(JSON.parse(resources[id].Properties.ConfigurationValues)).toEqual({ replicaCount: 2 });
  });

  test('are every add-on the platform runs', () => {
    expect(
      addons()
        .map(([, r]) => r.Properties.AddonName)
        .sort(),
    ).toEqual([
      'aws-ebs-csi-driver',
      'coredns',
      'eks-pod-identity-agent',
      'kube-proxy',
      'metrics-server',
      'vpc-cni',
    ]);
  });

  test("each runs the version EKS names as default for the cluster's minor, looked up at deploy", () => {
    const { KubernetesVersion, Addons } = resources[lookup()].Properties;
    expect(KubernetesVersion).toBe('1.36');
    for (const [id, addon] of addons()) {
      const version = addon.Properties.AddonVersion;
      expect([id, version]).toEqual([id, { 'Fn::GetAtt': [lookup(), expect.any(String)] }]);
      expect(Addons[version['Fn::GetAtt'][1]]).toBe(addon.Properties.AddonName);
    }
  });

  test('a version update overwrites drift instead of failing on it', () => {
    for (const [id, addon] of addons()) {
      expect([id, addon.Properties.ResolveConflicts]).toEqual([id, 'OVERWRITE']);
    }
  });

  test('move after the control plane, and all but the Pod Identity agent after the nodes', () => {
    expect(isOrderedAfter(resources, lookup(), cluster())).toBe(true);
    for (const [id, addon] of addons()) {
      expect([id, isOrderedAfter(resources, id, lookup())]).toEqual([id, true]);
      if (addon.Properties.AddonName === 'eks-pod-identity-agent') continue;
      expect([id, isOrderedAfter(resources, id, nodegroup())]).toEqual([id, true]);
    }
  });
});

describe('the add-on version lookup', () => {
  const handler = () => resources[resources[lookup()].Properties.ServiceToken['Fn::GetAtt'][0]];

  test('is plain Node.js on the latest runtime, answering before CloudFormation gives up', () => {
    const fn = handler().Properties;
    expect(fn).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler' });
    expect(Number(resources[lookup()].Properties.ServiceTimeout)).toBeGreaterThan(fn.Timeout);
  });

  test('may only describe add-on versions and write its own log group', () => {
    const role = handler().Properties.Role['Fn::GetAtt'][0];
    expect(resources[role].Properties.ManagedPolicyArns).toBeUndefined();
    const actions = Object.values(resources)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' &&
          r.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === role),
      )
      .flatMap((p) =>
        p.Properties.PolicyDocument.Statement.flatMap(
          (s: { Action: string | string[] }) => s.Action,
        ),
      );
    expect(actions.sort()).toEqual([
      'eks:DescribeAddonVersions',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
  });

  test('logs to a log group that goes with the stack', () => {
    const logGroup = handler().Properties.LoggingConfig.LogGroup.Ref;
    expect(resources[logGroup]).toMatchObject({ DeletionPolicy: 'Delete' });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: Match.objectLike({ RetentionInDays: 30 }),
    });
  });
});
