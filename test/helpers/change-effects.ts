/**
 * What CloudFormation does to the deployed resources when a template changes, worked out from
 * two synthesised templates and the resource schemas cfn-lint ships: a resource whose changed
 * properties touch one of its `createOnlyProperties` is replaced, and a replaced resource changes
 * every `Ref` and `Fn::GetAtt` to it, which can replace the resources that use it in turn.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { pythonToolPath } from '../../tools/setup/python-tools';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}
export type CfnResources = Readonly<Record<string, CfnResource>>;

/** JSON pointers like `/properties/Name`, by resource type; types without a schema are absent. */
export type CreateOnly = Readonly<Record<string, readonly string[]>>;

/**
 * Updates that EKS or EC2 carry out by disrupting what runs: a node group whose launch template
 * version, AMI release or Kubernetes version changes replaces every node (drained one by one),
 * and a route moved to another NAT gateway drops the connections through the old one. The
 * schemas cannot say this: it comes from the EKS and VPC user guides.
 */
const INTERRUPTING_UPDATES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'AWS::EKS::Nodegroup': {
    '/properties/LaunchTemplate': 'a new launch template version rolls every node',
    '/properties/ReleaseVersion': 'a new AMI release rolls every node',
    '/properties/Version': 'a new Kubernetes version rolls every node',
  },
  'AWS::EC2::Route': {
    '/properties/NatGatewayId': "moves private subnets' egress to another NAT gateway",
  },
};

/**
 * Replacements that disrupt nothing: a new kubectl layer version is published and the provider's
 * functions move to it on the same deploy.
 */
const HARMLESS_REPLACEMENTS: ReadonlySet<string> = new Set(['AWS::Lambda::LayerVersion']);

/** Attributes that change on an in-place update (not only on replacement). */
const ATTRIBUTES_CHANGED_BY_UPDATE: Readonly<Record<string, readonly string[]>> = {
  'AWS::EC2::LaunchTemplate': ['LatestVersionNumber'],
};

export interface ChangeOutcome {
  /** Logical IDs CloudFormation replaces, with their types. */
  readonly replaced: ReadonlyMap<string, string>;
  /** Logical IDs CloudFormation deletes, with their types. */
  readonly removed: ReadonlyMap<string, string>;
  /** Why what runs is disrupted, e.g. 'rolls every node'. */
  readonly interruptions: ReadonlySet<string>;
  /** `LogicalId /properties/...` of each changed property, for messages. */
  readonly changes: readonly string[];
}

/** The create-only properties of every type in `types`, read from cfn-lint's schemas. */
export function createOnlyProperties(types: Iterable<string>): CreateOnly {
  const python = path.join(path.dirname(pythonToolPath('cfn-lint')), 'python');
  const script = [
    'import json, sys',
    'from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as m',
    'out = {}',
    'for t in json.load(sys.stdin):',
    '    try:',
    "        out[t] = m.get_resource_schema('us-east-1', t).schema.get('createOnlyProperties', [])",
    '    except Exception:',
    '        pass',
    'print(json.dumps(out))',
  ].join('\n');
  const output = execFileSync(python, ['-c', script], {
    input: JSON.stringify([...new Set(types)].filter((t) => !t.startsWith('Custom::'))),
    encoding: 'utf8',
  });
  return JSON.parse(output);
}

/** What deploying `after` over `before` does to the resources both templates have. */
export function changeOutcome(
  before: CfnResources,
  after: CfnResources,
  createOnly: CreateOnly,
): ChangeOutcome {
  const replaced = new Map<string, string>();
  const updated = new Set<string>();
  const interruptions = new Set<string>();
  const common = Object.keys(after).filter((id) => before[id]?.Type === after[id].Type);
  // A replacement (or an update that changes an attribute) changes what refers to the resource:
  // repeat until nothing more changes.
  let changes: string[] = [];
  for (let size = -1; size !== replaced.size + updated.size;) {
    size = replaced.size + updated.size;
    const changedAttributes = attributesChangedBy(updated, after);
    changes = common.flatMap((id) =>
      changedPaths(
        before[id].Properties ?? {},
        after[id].Properties ?? {},
        '/properties',
        (value) => refersToChanged(value, replaced, changedAttributes),
      ).map((pointer) => `${id} ${pointer}`),
    );
    for (const change of changes) {
      const [id, pointer] = change.split(' ');
      updated.add(id);
      const type = after[id].Type;
      if (HARMLESS_REPLACEMENTS.has(type)) continue;
      if ((createOnly[type] ?? []).some((c) => overlaps(pointer, c))) replaced.set(id, type);
    }
  }
  for (const change of changes) {
    const [id, pointer] = change.split(' ');
    if (replaced.has(id)) continue;
    for (const [prefix, why] of Object.entries(INTERRUPTING_UPDATES[after[id].Type] ?? {})) {
      if (overlaps(pointer, prefix)) interruptions.add(why);
    }
  }
  const removed = new Map(
    Object.entries(before)
      .filter(([id, resource]) => after[id]?.Type !== resource.Type)
      .map(([id, resource]) => [id, resource.Type]),
  );
  return { replaced, removed, interruptions, changes };
}

/** The attributes, as `id.Attribute`, that the updates of `updated` change. */
function attributesChangedBy(updated: ReadonlySet<string>, resources: CfnResources): Set<string> {
  return new Set(
    [...updated].flatMap((id) =>
      (ATTRIBUTES_CHANGED_BY_UPDATE[resources[id].Type] ?? []).map((a) => `${id}.${a}`),
    ),
  );
}

/** True when `value` holds a Ref or GetAtt whose value changes in this deploy. */
function refersToChanged(
  value: unknown,
  replaced: ReadonlyMap<string, string>,
  changedAttributes: ReadonlySet<string>,
): boolean {
  if (Array.isArray(value))
    return value.some((v) => refersToChanged(v, replaced, changedAttributes));
  if (value === null || typeof value !== 'object') return false;
  const object = value as Record<string, unknown>;
  if (typeof object.Ref === 'string' && replaced.has(object.Ref)) return true;
  const getAtt = object['Fn::GetAtt'];
  if (Array.isArray(getAtt)) {
    const [id, attribute] = getAtt as [string, string];
    if (replaced.has(id) || changedAttributes.has(`${id}.${attribute}`)) return true;
  }
  return Object.values(object).some((v) => refersToChanged(v, replaced, changedAttributes));
}

/**
 * JSON pointers of the properties that differ, or whose value refers to something that changes.
 * Objects are compared key by key; arrays and intrinsic functions as a whole.
 */
function changedPaths(
  a: unknown,
  b: unknown,
  pointer: string,
  refersToChanged: (value: unknown) => boolean,
): string[] {
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((key) =>
      changedPaths(a[key], b[key], `${pointer}/${key}`, refersToChanged),
    );
  }
  return JSON.stringify(a) !== JSON.stringify(b) || refersToChanged(b) ? [pointer] : [];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !Object.keys(value).some((k) => k === 'Ref' || k.startsWith('Fn::'))
  );
}

/** True when one pointer is the other or lies inside it. */
function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}
