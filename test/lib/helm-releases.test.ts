import { platformTemplate } from '../helpers/template';

// Synthesised once for the whole file: a full synth takes seconds.
const { resources } = platformTemplate();

/**
 * What the kubectl handler does besides waiting on Helm: `aws eks update-kubeconfig`, downloading
 * the chart repository's index and the chart, then answering CloudFormation.
 */
const HANDLER_OVERHEAD_SECONDS = 120;

const releases = Object.entries(resources).filter(
  ([, r]) => r.Type === 'Custom::AWSCDK-EKS-HelmChart',
);

/** The Lambda functions a custom resource goes through: its service token, and the handler it calls. */
function providerTimeouts(serviceToken: { 'Fn::GetAtt': [string, string] }): number[] {
  const framework = resources[serviceToken['Fn::GetAtt'][0]];
  const handler = framework.Properties.Environment.Variables.USER_ON_EVENT_FUNCTION_ARN;
  return [framework, resources[handler['Fn::GetAtt'][0]]].map((fn) => fn.Properties.Timeout);
}

describe('Helm releases', () => {
  test('there are releases to check', () => {
    expect(releases.map(([, r]) => r.Properties.Release).sort()).toEqual([
      'aws-load-balancer-controller',
      'cluster-autoscaler',
    ]);
  });

  test.each(releases.map(([, r]) => [r.Properties.Release, r.Properties]))(
    '%s leaves no pending release behind when it fails',
    (_release, props) => {
      expect(props.Atomic).toBe(true);
      expect(props.Wait).toBe(true);
    },
  );

  test.each(releases.map(([, r]) => [r.Properties.Release, r.Properties]))(
    "%s gives up while the provider's Lambda can still report the failure",
    (_release, props) => {
      const timeout = /^(\d+)s$/.exec(props.Timeout);
      expect(timeout).not.toBeNull();
      const lambda = Math.min(...providerTimeouts(props.ServiceToken));
      // An atomic upgrade that fails rolls back, and the rollback waits up to the same timeout.
      expect(2 * Number(timeout![1]) + HANDLER_OVERHEAD_SECONDS).toBeLessThanOrEqual(lambda);
    },
  );
});
