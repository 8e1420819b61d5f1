import { isOrderedAfter } from '../helpers/graph';
import { platformTemplate } from '../helpers/template';

// Synthesised once for the whole file: a full synth takes seconds.
const { resources, logicalId } = platformTemplate();

/** What the handler needs besides waiting: a last DescribeVolumes and its answer. */
const ANSWER_MARGIN_MS = 60_000;

describe('EBS volumes released before the driver goes', () => {
  const waiter = logicalId('Custom::EbsVolumesReleased');
  const waiterProps = () => resources[waiter].Properties;
  const handlerId = () => waiterProps().ServiceToken['Fn::GetAtt'][0];
  const driver = logicalId('AWS::EKS::Addon', { AddonName: 'aws-ebs-csi-driver' });

  test('the driver tags every volume it creates with the tag the waiter looks for', () => {
    const cluster = logicalId('AWS::EKS::Cluster');
    const { TagKey, TagValue, ClusterName } = waiterProps();
    expect(TagValue).toEqual({ Ref: cluster });
    expect(ClusterName).toEqual({ Ref: cluster });
    // ConfigurationValues is JSON with the cluster name joined in.
    const [, parts] = resources[driver].Properties.ConfigurationValues['Fn::Join'];
    const config = JSON.parse(
      parts.map((p: unknown) => (typeof p === 'string' ? p : 'CLUSTER')).join(''),
    );
    expect(config).toEqual({ controller: { extraVolumeTags: { [TagKey]: 'CLUSTER' } } });
    expect(parts).toContainEqual({ Ref: cluster });
    // The driver refuses extra tags under its own and Kubernetes' prefixes.
    expect(TagKey).not.toMatch(/^(kubernetes\.io|ebs\.csi\.aws\.com\/)/);
  });

  test('waits after the driver is installed, so it is deleted, and waits, before the driver goes', () => {
    expect(isOrderedAfter(resources, waiter, driver)).toBe(true);
  });

  test('every chart, each of which can own claims, is deleted before the waiter runs', () => {
    const charts = Object.entries(resources).filter(
      ([, r]) =>
        r.Type === 'Custom::AWSCDK-EKS-KubernetesResource' &&
        (r as any).Metadata?.['aws:cdk:path']?.includes('/chart-'),
    );
    expect(charts.length).toBeGreaterThanOrEqual(8);
    for (const [id] of charts)
      expect([id, isOrderedAfter(resources, id, waiter)]).toEqual([id, true]);
  });

  test('its handler is plain Node.js on the latest runtime, and stops waiting before its timeout', () => {
    const fn = resources[handlerId()].Properties;
    expect(fn).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'volume-release.handler' });
    const wait = Number(fn.Environment.Variables.WAIT_LIMIT_MS);
    expect(wait).toBeGreaterThanOrEqual(5 * 60_000);
    expect(wait + ANSWER_MARGIN_MS).toBeLessThanOrEqual(fn.Timeout * 1000);
    // CloudFormation stops waiting for an answer soon after the handler would have given one.
    expect(Number(waiterProps().ServiceTimeout)).toBeGreaterThan(fn.Timeout);
    expect(Number(waiterProps().ServiceTimeout)).toBeLessThan(3600);
  });

  test('its role may only describe volumes and instances and write its own log group', () => {
    const fn = resources[handlerId()].Properties;
    const role = fn.Role['Fn::GetAtt'][0];
    expect(resources[role].Properties.ManagedPolicyArns).toBeUndefined();
    const policies = Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        r.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === role),
    );
    const actions = policies.flatMap((p) =>
      p.Properties.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => s.Action),
    );
    expect(actions.sort()).toEqual([
      'ec2:DescribeInstances',
      'ec2:DescribeVolumes',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    expect(fn.LoggingConfig.LogGroup).toEqual({ Ref: expect.any(String) });
  });

  test('its log group goes with the stack: the Delete event already names what was left', () => {
    const logGroup = resources[handlerId()].Properties.LoggingConfig.LogGroup.Ref;
    expect(resources[logGroup]).toMatchObject({ DeletionPolicy: 'Delete' });
  });
});
