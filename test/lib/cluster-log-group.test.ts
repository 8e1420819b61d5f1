import { existsSync } from 'fs';
import { join } from 'path';
import { isOrderedAfter } from '../helpers/graph';
import { synthPlatform } from '../helpers/synth';
import { platformTemplate } from '../helpers/template';

// Synthesised once for the whole file: a full synth takes seconds.
const { template, resources, logicalId } = platformTemplate();

describe('the control-plane log group', () => {
  const group = logicalId('Custom::ClusterLogGroup');
  const cluster = logicalId('AWS::EKS::Cluster');
  const handlerId = () => resources[group].Properties.ServiceToken['Fn::GetAtt'][0];

  test("is EKS's group for the cluster, kept 90 days by default", () => {
    expect(resources[group].Properties).toMatchObject({
      LogGroupName: '/aws/eks/bitcoin-platform/cluster',
      RetentionInDays: 90,
    });
  });

  test('follows clusterName and controlPlaneLogRetentionDays', () => {
    const other = synthPlatform({ clusterName: 'other', controlPlaneLogRetentionDays: 30 });
    other.hasResourceProperties('Custom::ClusterLogGroup', {
      LogGroupName: '/aws/eks/other/cluster',
      RetentionInDays: 30,
    });
  });

  test('exists before the cluster, so EKS writes to it, and is deleted only after the cluster', () => {
    expect(isOrderedAfter(resources, cluster, group)).toBe(true);
  });

  test('is not a plain AWS::Logs::LogGroup, which fails to create where EKS already made the group', () => {
    const names = Object.values(template.findResources('AWS::Logs::LogGroup')).map(
      (r) => r.Properties?.LogGroupName,
    );
    expect(names.filter((name) => JSON.stringify(name ?? '').includes('/aws/eks/'))).toEqual([]);
  });

  test('its handler may create, set the retention of and delete that one group, and nothing else', () => {
    const role = resources[handlerId()].Properties.Role['Fn::GetAtt'][0];
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      p.Properties.Roles.some((r: { Ref: string }) => r.Ref === role),
    );
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    const onGroup = statements.filter((s) => [s.Action].flat().includes('logs:DeleteLogGroup'));
    expect(onGroup).toHaveLength(1);
    expect(onGroup[0].Action).toEqual([
      'logs:CreateLogGroup',
      'logs:PutRetentionPolicy',
      'logs:DeleteLogGroup',
    ]);
    const arns = onGroup[0].Resource.map((r: any) => r['Fn::Join'][1].slice(-1)[0]);
    expect(arns).toEqual([
      ':log-group:/aws/eks/bitcoin-platform/cluster',
      ':log-group:/aws/eks/bitcoin-platform/cluster:*',
    ]);
    // The rest only writes its own log.
    const rest = statements.filter((s) => s !== onGroup[0]);
    expect(rest.flatMap((s) => [s.Action].flat()).sort()).toEqual(
      ['logs:CreateLogStream', 'logs:PutLogEvents'].sort(),
    );
  });

  test('its handler is plain Node.js on the latest runtime, in the shared handler asset', () => {
    const fn = resources[handlerId()].Properties;
    expect(fn).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'cluster-log-group.handler' });
    expect(existsSync(join(__dirname, '..', '..', 'lib', 'handlers', 'cluster-log-group.js'))).toBe(
      true,
    );
    const volumeWaiter = resources[logicalId('Custom::EbsVolumesReleased')].Properties.ServiceToken;
    expect(fn.Code).toEqual(resources[volumeWaiter['Fn::GetAtt'][0]].Properties.Code);
  });
});
