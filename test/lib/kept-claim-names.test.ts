import { manifestObjectsOf } from '../../lib/template-manifests';
import { ThroughputVolume } from '../../config';
import { claimNamesOf, keptClaimNames, keptClaimNamesKey } from '../../lib/kept-claim-names';
import { readTemplateFile } from '../../tools/rehearsal/earlier-template';
import { pinnedTemplateFile } from '../../tools/rehearsal/pinned-templates';
import { synthPlatform } from '../helpers/synth';

const KEY = keptClaimNamesKey('123456789012', 'eu-west-1');
const WITH_CLAIMS = {
  throughputVolume: 'st1',
  staticVolumeId: 'vol-0123456789abcdef0',
  staticVolumeZone: 'us-east-1a',
};
const KEPT = { 'throughput-st1': 'throughput-data' };
const ST1 = ThroughputVolume.ST1;

/** A template with one kubectl manifest of `objects`. */
const withManifest = (manifest: unknown) => ({
  Resources: {
    Storage: { Type: 'Custom::AWSCDK-EKS-KubernetesResource', Properties: { Manifest: manifest } },
  },
});

const throughputClaim = (name: string, storageClassName: string) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'storage-demo' },
  spec: { storageClassName },
});

describe('the names deployed claims keep', () => {
  test('the key names the account and region, next to the recorded admins', () => {
    expect(KEY).toBe('eks-bitcoin-platform:kept-claim-names:account=123456789012:region=eu-west-1');
  });

  test("a stack deployed at 70ff91b with throughputVolume=st1 keeps its claim's name, throughput-data", () => {
    expect(claimNamesOf(readTemplateFile(pinnedTemplateFile('70ff91b', WITH_CLAIMS)))).toEqual(
      KEPT,
    );
  });

  test('a stack deployed without a throughput claim, or by this version, has no name to keep', () => {
    expect(claimNamesOf(readTemplateFile(pinnedTemplateFile('70ff91b')))).toEqual({});
    const current = synthPlatform(WITH_CLAIMS).toJSON();
    // It reads today's claim, which already has the name this version gives it.
    expect(manifestObjectsOf(current)).toContainEqual(
      expect.objectContaining({ metadata: expect.objectContaining({ name: 'throughput-st1' }) }),
    );
    expect(claimNamesOf(current)).toEqual({});
  });

  test('a manifest with a token in it is read too, and the static claim is not a throughput claim', () => {
    const staticClaim = {
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'static-data', namespace: 'storage-demo' },
      spec: { storageClassName: 'st1', volumeName: 'static-ebs' },
    };
    const text = JSON.stringify([throughputClaim('throughput-data', 'cold'), staticClaim]);
    const [before, after] = text.split('cold');
    const joined = { 'Fn::Join': ['', [`${before}cold`, { Ref: 'AWS::Region' }, after]] };
    expect(claimNamesOf(withManifest(joined))).toEqual({ 'throughput-cold': 'throughput-data' });
  });

  test('while nothing is recorded, keeps and records the deployed names', () => {
    const deployed = {
      template: withManifest(JSON.stringify([throughputClaim('throughput-data', 'st1')])),
    };
    expect(keptClaimNames(KEY, undefined, deployed, ST1)).toEqual({ value: KEPT, record: KEPT });
  });

  test('for a stack not deployed yet, records that no claim keeps a name', () => {
    expect(keptClaimNames(KEY, undefined, { none: true }, ST1)).toEqual({ value: {}, record: {} });
  });

  test('once recorded, keeps the recorded names whatever the deployed stack says', () => {
    expect(keptClaimNames(KEY, KEPT, { none: true }, ST1)).toEqual({ value: KEPT });
  });

  test('offline, with nothing recorded, keeps and records nothing', () => {
    expect(keptClaimNames(KEY, undefined, undefined, ST1)).toEqual({ value: {} });
  });

  test('with a throughput claim, when CloudFormation does not say, refuses in one line naming the key and what to do', () => {
    const unknown = { unknown: 'not authorized to GetTemplate' };
    expect(() => keptClaimNames(KEY, undefined, unknown, ST1)).toThrow(
      new RegExp(
        `^Invalid config "${KEY}": got undefined; expected the deployed throughput claim's name, .*\\(not authorized to GetTemplate\\): give the deployer cloudformation:GetTemplate and synthesise again, or, .* record \\{\\} under that key in cdk.context.json\\.$`,
      ),
    );
  });

  test('without a throughput claim, when CloudFormation does not say, keeps and records nothing, silently', () => {
    const unknown = { unknown: 'not authorized to GetTemplate' };
    expect(keptClaimNames(KEY, undefined, unknown, ThroughputVolume.NONE)).toStrictEqual({
      value: {},
    });
  });

  test.each([
    ['a list', ['throughput-data']],
    ['a name with capitals', { 'throughput-st1': 'Throughput-Data' }],
    ['a name that is no string', { 'throughput-st1': 1 }],
  ])(
    'a recorded value that is %s fails in one line naming key, value and what is allowed',
    (_, value) => {
      expect(() => keptClaimNames(KEY, value, undefined, ST1)).toThrow(
        `Invalid config "${KEY}": got ${JSON.stringify(value)}; expected an object of claim names to the deployed claim names.`,
      );
    },
  );
});
