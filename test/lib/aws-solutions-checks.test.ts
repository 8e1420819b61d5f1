import type * as cdk from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as nag from 'cdk-nag';
import type * as checks from '../../lib/private/aws-solutions-checks';

interface Modules {
  cdk: typeof cdk;
  iam: typeof iam;
  s3: typeof s3;
  nag: typeof nag;
  checks: typeof checks;
}
// Each test loads its modules afresh, so that "not loaded yet" means the same in every test.
// (jest.resetModules, not isolateModules: require.cache shows only jest's main registry.)
function freshModules(): Modules {
  jest.resetModules();
  return {
    cdk: jest.requireActual('aws-cdk-lib'),
    iam: jest.requireActual('aws-cdk-lib/aws-iam'),
    s3: jest.requireActual('aws-cdk-lib/aws-s3'),
    nag: jest.requireActual('cdk-nag'),
    checks: jest.requireActual('../../lib/private/aws-solutions-checks'),
  };
}

const loaded = (service: string) =>
  Object.keys(require.cache).some((file) => file.includes(`/aws-cdk-lib/${service}/lib/`));

/** A stack with findings in the services it uses: a bare bucket and an admin role. */
function appWithFindings({ cdk, iam, s3 }: Modules): cdk.App {
  const app = new cdk.App();
  const stack = new cdk.Stack(app, 'Findings');
  new s3.CfnBucket(stack, 'Bucket');
  new iam.Role(stack, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
  });
  return app;
}

describe('AwsSolutionsChecksOnLoadedServices', () => {
  test('reports exactly what AwsSolutionsChecks reports, without loading unused services', () => {
    const modules = freshModules();
    const app = appWithFindings(modules);
    const cheap = new modules.checks.AwsSolutionsChecksOnLoadedServices().validateScope(app);
    expect(loaded('aws-quicksight')).toBe(false);

    const full = new modules.nag.AwsSolutionsChecks().validateScope(app);
    expect(loaded('aws-quicksight')).toBe(true);
    expect(cheap.violations.map((v) => v.ruleName)).toEqual(
      expect.arrayContaining([
        'AwsSolutions-S1',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AdministratorAccess]',
      ]),
    );
    expect(cheap).toEqual(full);
  });

  test('puts the real classes back when it is done', () => {
    const modules = freshModules();
    new modules.checks.AwsSolutionsChecksOnLoadedServices().validateScope(appWithFindings(modules));
    const quicksight = jest.requireActual('aws-cdk-lib/aws-quicksight');
    expect(quicksight.CfnDataSource.CFN_RESOURCE_TYPE_NAME).toBe('AWS::QuickSight::DataSource');
  });

  test('a rule that reads more than instanceof from an unloaded service is a finding', () => {
    const modules = freshModules();
    const quicksight = jest.requireActual('aws-cdk-lib/aws-quicksight');
    class ReadsAStaticField extends modules.checks.AwsSolutionsChecksOnLoadedServices {
      protected override checkResource(node: cdk.CfnResource): void {
        this.applyRule({
          ruleSuffixOverride: 'ReadsAStaticField',
          info: 'reads a static field of a QuickSight class',
          explanation: 'test rule',
          level: modules.nag.NagMessageLevel.ERROR,
          node,
          rule: (resource: cdk.CfnResource) =>
            resource.cfnResourceType === quicksight.CfnDataSource.CFN_RESOURCE_TYPE_NAME
              ? modules.nag.NagRuleCompliance.NON_COMPLIANT
              : modules.nag.NagRuleCompliance.COMPLIANT,
        });
      }
    }
    const report = new ReadsAStaticField().validateScope(appWithFindings(modules));
    expect(report.violations.map((v) => [v.ruleName, v.description])).toContainEqual([
      'AwsSolutions-ReadsAStaticField',
      expect.stringMatching(/^Rule threw an error/),
    ]);
  });
});
