/**
 * Every config key's change, synthesised both ways and judged against CloudFormation's resource
 * schemas: what docs/configuration.md says it does (`onChange` in config/schema.ts) must be what
 * it does, and the replacement guard must refuse exactly the changes that replace or delete the
 * VPC, a subnet or the EKS cluster.
 */
import { CONFIG_SCHEMA } from '../../config';
import { Effect, isGuarded } from '../../config/change-effects';
import { REPLACEMENT_GUARD_TYPE } from '../../lib/replacement-guard';
import {
  CfnResources,
  ChangeOutcome,
  CreateOnly,
  changeOutcome,
  createOnlyProperties,
} from '../helpers/change-effects';
import { synthPlatform } from '../helpers/synth';

const { refusal } = jest.requireActual<{
  refusal: (before: object, after: object) => string | undefined;
}>('../../lib/handlers/replacement-guard.js');

type Context = Record<string, unknown>;
const ACCOUNT = { account: '123456789012' };
const REGION = { region: 'eu-west-1' };
const PINNED = { ...ACCOUNT, ...REGION };
const STATIC_VOLUME = { staticVolumeId: 'vol-0123456789abcdef0', staticVolumeZone: 'eu-west-1a' };

/** For each key: a config it is deployed with, and the same config with that key changed. */
const CHANGES: Readonly<Record<string, readonly [Context, Context]>> = {
  clusterName: [{}, { clusterName: 'other-platform' }],
  kubernetesVersion: [{ kubernetesVersion: '1.35' }, { kubernetesVersion: '1.36' }],
  upgradePolicy: [{}, { upgradePolicy: 'EXTENDED' }],
  controlPlaneLogRetentionDays: [{}, { controlPlaneLogRetentionDays: 30 }],
  nodeMaxUnavailable: [{}, { nodeMaxUnavailable: 2 }],
  nodeForceUpdate: [{}, { nodeForceUpdate: true }],
  nodeReleaseVersion: [{}, { nodeReleaseVersion: '1.36.3-20261201' }],
  releaseHttpdReplicas: [{}, { releaseHttpdReplicas: true }],
  controllerNamespaces: [{}, { controllerNamespaces: ['team-a'] }],
  vpcCidr: [{}, { vpcCidr: '10.1.0.0/16' }],
  maxAzs: [PINNED, { ...PINNED, maxAzs: 3 }],
  natGateways: [{}, { natGateways: 2 }],
  nodeInstanceTypes: [{}, { nodeInstanceTypes: ['t3.large'] }],
  nodeMinSize: [{}, { nodeMinSize: 2 }],
  nodeDesiredSize: [{}, { nodeDesiredSize: 3 }],
  nodeMaxSize: [{}, { nodeMaxSize: 5 }],
  nodeDiskSize: [{}, { nodeDiskSize: 40 }],
  endpointAccess: [{}, { endpointAccess: 'public' }],
  endpointPublicCidrs: [{}, { endpointPublicCidrs: ['203.0.113.0/24'] }],
  adminPrincipalArns: [{}, { adminPrincipalArns: ['arn:aws:iam::123456789012:role/Other'] }],
  sshKeyName: [{}, { sshKeyName: 'ops' }],
  account: [REGION, PINNED],
  region: [ACCOUNT, PINNED],
  webReplicas: [{}, { webReplicas: 3 }],
  alpineLoadBalancer: [{}, { alpineLoadBalancer: true }],
  demoVolumeSize: [{}, { demoVolumeSize: '8Gi' }],
  throughputVolume: [{}, { throughputVolume: 'st1' }],
  throughputVolumeSize: [
    { throughputVolume: 'st1' },
    { throughputVolume: 'st1', throughputVolumeSize: '200Gi' },
  ],
  staticVolumeId: [{}, STATIC_VOLUME],
  staticVolumeZone: [STATIC_VOLUME, { ...STATIC_VOLUME, staticVolumeZone: 'eu-west-1b' }],
  controllerImage: [{}, { controllerImage: 'registry.example/controller:1.0.0' }],
  sampleNetworkNodes: [{}, { sampleNetworkNodes: 5 }],
};

/** Keys with a single allowed value: there is nothing to change them to yet. */
const UNCHANGEABLE: string[] = [];

const declared = Object.fromEntries(
  Object.values(CONFIG_SCHEMA).flatMap((settings) =>
    Object.entries(settings).map(([key, spec]) => [key, spec.onChange]),
  ),
);

// Synthesised once per distinct config: a full synth takes seconds.
const templates = new Map<string, CfnResources>();
let createOnly: CreateOnly;

function resourcesOf(context: Context): CfnResources {
  return templates.get(JSON.stringify(context))!;
}

beforeAll(() => {
  for (const context of Object.values(CHANGES).flat()) {
    const key = JSON.stringify(context);
    if (!templates.has(key)) templates.set(key, synthPlatform(context).toJSON().Resources);
  }
  createOnly = createOnlyProperties(
    [...templates.values()].flatMap((resources) => Object.values(resources).map((r) => r.Type)),
  );
}, 600_000);

/** The guard's view of a template: what it would compare. */
function guardedValues(resources: CfnResources): object {
  const [guard] = Object.values(resources).filter((r) => r.Type === REPLACEMENT_GUARD_TYPE);
  return guard.Properties!.Guarded as object;
}

/** The types a change replaces, or deletes when they are guarded. */
function replacedTypes(outcome: ChangeOutcome): string[] {
  const deletedGuarded = [...outcome.removed.values()].filter(isGuarded);
  return [...outcome.replaced.values(), ...deletedGuarded];
}

describe('what a config change does to the deployed resources', () => {
  test('every key has a change to try, or no other value to change to', () => {
    const keys = Object.values(CONFIG_SCHEMA).flatMap((settings) => Object.keys(settings));
    expect([...Object.keys(CHANGES), ...UNCHANGEABLE].sort()).toEqual([...keys].sort());
  });

  test.each(Object.keys(CHANGES))('%s: the docs say what CloudFormation does, both ways', (key) => {
    const [base, changed] = CHANGES[key].map(resourcesOf);
    const outcomes = [
      changeOutcome(base, changed, createOnly),
      changeOutcome(changed, base, createOnly),
    ];
    const replaced = [...new Set(outcomes.flatMap(replacedTypes))].sort();
    const interruptions = [...new Set(outcomes.flatMap((o) => [...o.interruptions]))];
    const actual =
      replaced.length > 0
        ? { effect: Effect.REPLACEMENT, replaces: replaced }
        : interruptions.length > 0
          ? { effect: Effect.INTERRUPTION, disrupts: interruptions.join('; ') }
          : { effect: Effect.IN_PLACE };
    expect(declared[key]).toEqual(actual);
  });

  test.each(Object.keys(CHANGES))(
    '%s: the guard refuses it, either way, exactly when it replaces or deletes the VPC, a subnet or the cluster',
    (key) => {
      const [base, changed] = CHANGES[key].map(resourcesOf);
      for (const [from, to] of [
        [base, changed],
        [changed, base],
      ]) {
        const hitsGuarded = replacedTypes(changeOutcome(from, to, createOnly)).some(isGuarded);
        const refused = refusal(guardedValues(from), guardedValues(to));
        expect({ hitsGuarded, refused: refused !== undefined }).toEqual({
          hitsGuarded,
          refused: hitsGuarded,
        });
      }
    },
  );
});
