/** The rehearsal's pure parts on the real synthesised template (one synth for the file). */
import { RESOLVED_TYPES } from '../../../tools/rehearsal/executors';
import { buildGraph } from '../../../tools/rehearsal/graph';
import { Intrinsics } from '../../../tools/rehearsal/intrinsics';
import { addonVersions } from '../../../tools/rehearsal/standins/addon-versions';
import { CfnTemplate, parseContextArgs, synthTemplate } from '../../../tools/rehearsal/template';

let template: CfnTemplate;
beforeAll(() => (template = synthTemplate()), 60_000);

const idOf = (prefix: string) =>
  Object.keys(template.Resources).find((id) => id.startsWith(prefix))!;

test('the graph orders the charts as their DependsOn say, and the cluster before all of them', () => {
  const order = buildGraph(template.Resources).creationOrder();
  const at = (prefix: string) => order.indexOf(idOf(prefix));
  expect(at('EksClusterB2BDED5B')).toBeLessThan(at('EksClusterchartnamespaces'));
  expect(at('EksClusterchartnamespaces')).toBeLessThan(at('EksClusterchartstorage'));
  expect(at('EksClusterchartbitcoincrd')).toBeLessThan(at('EksClusterchartbitcoinoperator'));
  expect(at('EksClusterchartbitcoinoperator')).toBeLessThan(at('EksClusterchartbitcoinsample'));
});

test('every property the rehearsal passes on resolves with the stand-ins', () => {
  // What the two custom resources that others read from return, as their stand-ins answer.
  const [versions] = Object.entries(template.Resources).find(
    ([, r]) => r.Type === 'Custom::EksAddonVersions',
  )!;
  const data = new Map<string, Record<string, unknown>>([
    [idOf('BitcoinPlatformEksClusterD61DD7FFAlbControlleralbsaConditionJson'), { Value: {} }],
    [
      versions,
      addonVersions(
        new Intrinsics(template).resolve(
          template.Resources[versions].Properties,
          versions,
        ) as Record<string, unknown>,
      ),
    ],
  ]);
  const intrinsics = new Intrinsics(template, data);
  const resolved = Object.entries(template.Resources)
    .filter(([, r]) => RESOLVED_TYPES.has(r.Type))
    .map(([id, r]) => intrinsics.resolve(r.Properties ?? {}, id) as Record<string, unknown>);
  expect(resolved.length).toBeGreaterThan(10);
  // No intrinsic function is left anywhere in them.
  expect(JSON.stringify(resolved)).not.toMatch(/"(Ref|Fn::[A-Za-z]+)"/);
  expect(
    resolved
      .filter((p) => p.ClusterName !== undefined)
      .every((p) => p.ClusterName === 'bitcoin-platform'),
  ).toBe(true);
});

test('-c overrides reach the template, as with cdk synth', () => {
  const manifest = (t: CfnTemplate) =>
    String(t.Resources[idOf('EksClusterchartworkloads')].Properties!.Manifest);
  expect(manifest(synthTemplate(parseContextArgs(['webReplicas=5'])))).toContain('"replicas":5');
  expect(manifest(template)).toContain('"replicas":2');
});

test('a -c argument without = is one clear error', () => {
  expect(() => parseContextArgs(['webReplicas'])).toThrow('-c takes key=value, got "webReplicas"');
});

test('synthesised after an earlier template, an admin keeps the logical ID of its deployed entry', () => {
  const ALICE = 'arn:aws:iam::111111111111:role/Alice';
  const BOB = 'arn:aws:iam::111111111111:role/Bob';
  // The first admin's entry as 70ff91b named it.
  const earlier: CfnTemplate = {
    Resources: {
      EksClusterAdmin06BF8452E: {
        Type: 'AWS::EKS::AccessEntry',
        Properties: { ClusterName: 'bitcoin-platform', PrincipalArn: ALICE },
      },
    },
  };
  const upgraded = synthTemplate(parseContextArgs([`adminPrincipalArns=${ALICE},${BOB}`]), earlier);
  const entries = Object.entries(upgraded.Resources).filter(
    ([, r]) => r.Type === 'AWS::EKS::AccessEntry' && typeof r.Properties?.PrincipalArn === 'string',
  );
  expect(Object.fromEntries(entries.map(([id, r]) => [r.Properties!.PrincipalArn, id]))).toEqual({
    [ALICE]: 'EksClusterAdmin06BF8452E',
    [BOB]: expect.stringMatching(/^EksClusterAdminBob[0-9a-f]{8}[0-9A-F]{8}$/),
  });
});
