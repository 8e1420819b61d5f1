import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { synthPlatform } from '../helpers/synth';
import { EXTRA_ADMIN, FIRST_DEPLOYER } from '../helpers/template';

// On a live stack a renamed logical ID is a delete plus a create: for a Kubernetes manifest that
// is `kubectl create` of objects that already exist, and the deploy fails halfway. This list is
// kept by hand, outside jest's snapshots, so `jest -u` cannot rename a resource by accident.
// After a deliberate rename (with a migration plan), rewrite it with UPDATE_LOGICAL_IDS=1.
const PINNED = join(__dirname, 'logical-ids.json');

const VARIANTS: Record<string, Record<string, unknown>> = {
  defaults: {},
  'every option on': {
    adminPrincipalArns: [EXTRA_ADMIN],
    sshKeyName: 'ops',
    alpineLoadBalancer: true,
    throughputVolume: 'st1',
    staticVolumeId: 'vol-0123456789abcdef0',
    staticVolumeZone: 'eu-west-1a',
  },
  'cold HDD volume and a prebuilt controller image': {
    throughputVolume: 'cold',
    controllerImage: 'ghcr.io/example/bitcoin-controller:1.2.3',
  },
  // The kubectl provider runs in the VPC, on a security group of the stack's own.
  'a public endpoint restricted to some addresses': {
    endpointPublicCidrs: ['203.0.113.0/24'],
  },
};

/** `LogicalId Type` for every resource, sorted. */
function logicalIds(context: Record<string, unknown>): string[] {
  const resources = synthPlatform(context, { admins: [FIRST_DEPLOYER] }).toJSON()
    .Resources as Record<string, { Type: string }>;
  return Object.entries(resources)
    .map(([id, resource]) => `${id} ${resource.Type}`)
    .sort();
}

const actual = Object.fromEntries(
  Object.entries(VARIANTS).map(([name, context]) => [name, logicalIds(context)]),
);

if (process.env.UPDATE_LOGICAL_IDS === '1') {
  writeFileSync(PINNED, `${JSON.stringify(actual, null, 2)}\n`);
}
const pinned: Record<string, string[]> = JSON.parse(readFileSync(PINNED, 'utf8'));

describe('CloudFormation logical IDs', () => {
  test.each(Object.keys(VARIANTS))('are the pinned ones with %s', (name) => {
    // Missing: a resource the next deploy would delete. Added: pin it, so it cannot move later.
    const missing = pinned[name].filter((id) => !actual[name].includes(id));
    const added = actual[name].filter((id) => !pinned[name].includes(id));
    expect({ missing, added }).toEqual({ missing: [], added: [] });
  });
});
