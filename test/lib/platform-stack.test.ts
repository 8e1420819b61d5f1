import { Match } from 'aws-cdk-lib/assertions';
import { maskedJson } from '../helpers/synth';
import { platformTemplate } from '../helpers/template';

// Synthesised once for the whole file: a full synth takes seconds.
const { template } = platformTemplate();

test('no inline policy of the stack grants a wildcard action', () => {
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    for (const statement of policy.Properties.PolicyDocument.Statement) {
      for (const action of [statement.Action].flat()) expect(action).not.toMatch(/\*/);
    }
  }
});

test('outputs the cluster name, region, kubeconfig command, node role and VPC', () => {
  const outputs = Object.keys(template.toJSON().Outputs);
  expect(outputs).toEqual(
    expect.arrayContaining(['ClusterName', 'Region', 'KubeconfigCommand', 'NodeRoleArn', 'VpcId']),
  );
  template.hasOutput('KubeconfigCommand', {
    Value: {
      'Fn::Join': [
        '',
        [
          'aws eks update-kubeconfig --name ',
          Match.anyValue(),
          ' --region ',
          { Ref: 'AWS::Region' },
        ],
      ],
    },
  });
});

test('template snapshot', () => {
  expect(maskedJson(template)).toMatchSnapshot();
});
