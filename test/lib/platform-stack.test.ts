import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { maskedJson, platformStack, synthPlatform } from '../helpers/synth';
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

describe('admin access entries', () => {
  const ALICE = 'arn:aws:iam::123456789012:role/Alice';
  const BOB = 'arn:aws:iam::123456789012:role/ops/Bob';

  /** The logical ID of each admin access entry, by its principal. */
  function entryIds(
    adminPrincipalArns: string[],
    keptEntryIds?: Record<string, string>,
  ): Record<string, string> {
    const template = synthPlatform({ adminPrincipalArns }, { keptEntryIds });
    const entries = template.findResources('AWS::EKS::AccessEntry', {
      Properties: { PrincipalArn: Match.stringLikeRegexp('^arn:') },
    });
    return Object.fromEntries(
      Object.entries(entries).map(([id, entry]) => [entry.Properties.PrincipalArn, id]),
    );
  }

  // CloudFormation replaces an entry whose logical ID moved by creating the new one first, and
  // EKS refuses a second entry for the same principal: a list change must only add and remove.
  const both = entryIds([ALICE, BOB]);

  test('there is one entry per admin', () => {
    expect(Object.keys(both).sort()).toEqual([ALICE, BOB].sort());
  });

  test("removing the first admin leaves the second's logical ID as it was", () => {
    expect(entryIds([BOB])).toEqual({ [BOB]: both[BOB] });
  });

  test('reordering the admins changes no logical ID', () => {
    expect(entryIds([BOB, ALICE])).toEqual(both);
  });

  test('a principal the deployed stack has as Admin0 keeps it; a new principal gets its own ID', () => {
    // The logical ID 70ff91b gave the first admin; recorded in cdk.context.json on upgrade.
    const ADMIN0 = 'EksClusterAdmin06BF8452E';
    const kept = entryIds([ALICE, BOB], { [ALICE]: ADMIN0 });
    expect(kept).toEqual({ [ALICE]: ADMIN0, [BOB]: both[BOB] });
  });
});

describe('the controller image', () => {
  /** The warnings synth attaches to the controller image asset. */
  function imageWarnings(context: Record<string, unknown>, missingImageBuilder?: string) {
    const stack = platformStack(context, {}, missingImageBuilder);
    return Annotations.fromStack(stack).findWarning(
      '/BitcoinPlatform/ControllerImage',
      Match.anyValue(),
    );
  }

  test('warns at synth, naming the builder and the way around it, when none is on PATH', () => {
    const [warning, ...others] = imageWarnings({}, 'podman');
    expect(others).toEqual([]);
    expect(warning.entry.data).toMatch(
      /^cdk deploy builds the controller image \(linux\/amd64\) with podman, which is not on PATH: .*controllerImage/,
    );
    expect(warning.entry.data).toContain('[ack: eks-bitcoin-platform:noImageBuilder]');
  });

  test('does not warn when a builder is on PATH', () => {
    expect(imageWarnings({})).toEqual([]);
  });

  test('builds nothing and does not warn with a prebuilt controllerImage', () => {
    const stack = platformStack(
      { controllerImage: 'ghcr.io/example/bitcoin-controller:1.2.3' },
      undefined,
      'docker',
    );
    expect(stack.node.tryFindChild('ControllerImage')).toBeUndefined();
    expect(
      Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('not on PATH')),
    ).toEqual([]);
  });
});
