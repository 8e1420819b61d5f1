import { GUARDED_TYPES, GuardedType, isGuarded } from '../../config/change-effects';
import { GUARDED_CREATE_ONLY, REPLACEMENT_GUARD_TYPE } from '../../lib/replacement-guard';
import { createOnlyProperties } from '../helpers/change-effects';
import { directDependencies, transitiveDependencies } from '../helpers/graph';
import { platformTemplate } from '../helpers/template';

// Synthesised once for the whole file: a full synth takes seconds.
const { resources, logicalId } = platformTemplate();

/**
 * Types a guarded resource's create-only property may refer to without the guard seeing their
 * values: the cluster's IAM role (`RoleArn`) and its Secrets key (`EncryptionConfig`), which no
 * config key changes (test/lib/config-change-effects.test.ts would find one that did).
 */
const UNGUARDED_REFERENCES = ['AWS::IAM::Role', 'AWS::KMS::Key'];

const guard = logicalId(REPLACEMENT_GUARD_TYPE);
const guarded = Object.entries(resources).filter(([, r]) => isGuarded(r.Type));
const guardedValues: Record<string, Record<string, unknown>> = resources[guard].Properties.Guarded;

/** The construct path the guard names a resource by. */
function nameOf(id: string): string {
  const path: string = (resources[id] as any).Metadata['aws:cdk:path'];
  return path.replace(/^BitcoinPlatform\//, '').replace(/\/Resource$/, '');
}

/** The value at a JSON pointer like `/properties/A/B`, if set. */
function valueAt(id: string, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(2)
    .reduce<any>((object, name) => object?.[name], resources[id].Properties);
}

/** The logical IDs of the resources a value refers to. */
function referents(value: unknown): string[] {
  const json = JSON.stringify(value);
  const refs = [...json.matchAll(/"Ref":"([^"]+)"/g)].map((m) => m[1]);
  const atts = [...json.matchAll(/"Fn::GetAtt":\["([^"]+)"/g)].map((m) => m[1]);
  return [...refs, ...atts].filter((id) => id in resources);
}

describe('Custom::ReplacementGuard', () => {
  test('guards the VPC, its 4 subnets and the EKS cluster, by construct path', () => {
    expect(guarded.map(([, r]) => r.Type).sort()).toEqual([
      'AWS::EC2::Subnet',
      'AWS::EC2::Subnet',
      'AWS::EC2::Subnet',
      'AWS::EC2::Subnet',
      'AWS::EC2::VPC',
      'AWS::EKS::Cluster',
    ]);
    expect(Object.keys(guardedValues).sort()).toEqual(guarded.map(([id]) => nameOf(id)).sort());
  });

  test('each guarded resource depends on it, so CloudFormation updates the guard first', () => {
    for (const [id] of guarded)
      expect([id, directDependencies(resources, id)]).toContainEqual(
        expect.arrayContaining([guard]),
      );
  });

  test('it depends on none of them, and its handler runs outside the VPC', () => {
    const before = transitiveDependencies(resources, guard);
    expect(guarded.filter(([id]) => before.has(id))).toEqual([]);
    const handler = resources[guard].Properties.ServiceToken['Fn::GetAtt'][0];
    expect(resources[handler].Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Handler: 'replacement-guard.handler',
    });
    expect(resources[handler].Properties.VpcConfig).toBeUndefined();
  });

  test('it holds the value of every create-only property the stack sets on them, as cfn-lint knows them', () => {
    const createOnly = createOnlyProperties(Object.keys(GUARDED_TYPES));
    for (const [id, { Type }] of guarded) {
      for (const pointer of createOnly[Type]) {
        const value = valueAt(id, pointer);
        if (value === undefined) continue;
        const others = referents(value);
        if (others.length > 0) {
          const allowed = [...Object.keys(GUARDED_TYPES), ...UNGUARDED_REFERENCES];
          for (const other of others) {
            expect([pointer, allowed.includes(resources[other].Type)]).toEqual([pointer, true]);
          }
          continue;
        }
        const property = pointer.replace(/^\/properties\//, '');
        expect(GUARDED_CREATE_ONLY[Type as GuardedType]).toContain(property);
        expect([nameOf(id), property, guardedValues[nameOf(id)][property]]).toEqual([
          nameOf(id),
          property,
          value,
        ]);
      }
    }
  });
});
