/**
 * EC2 instance types as far as they can be known offline: the families and sizes aws-cdk-lib's
 * `InstanceClass` and `InstanceSize` name, and the architecture it derives from the family.
 * Whether a region offers a type is only known to that region's EC2 API, so it is not checked.
 */
import {
  InstanceArchitecture,
  InstanceClass,
  InstanceSize,
  InstanceType,
} from 'aws-cdk-lib/aws-ec2';
import { ConfigError } from './errors';
import { ValueType, list } from './value-types';

/**
 * The architecture of every node: the node group runs the AL2023 AMI of this architecture, and
 * the controller image is built for it. Other architectures need images built for them too.
 */
export const NODE_ARCHITECTURE = InstanceArchitecture.X86_64;

/** Family names as EC2 spells them (`t3`, `m7g`), through `InstanceType.of`'s own mapping. */
const FAMILIES: ReadonlySet<string> = new Set(
  Object.values(InstanceClass).map(
    (c) => InstanceType.of(c, InstanceSize.LARGE).toString().split('.')[0],
  ),
);
const SIZES: ReadonlySet<string> = new Set(Object.values(InstanceSize));

const ITEMS = `${NODE_ARCHITECTURE} EC2 instance types like "t3.medium", whose family and size aws-cdk-lib knows`;

/** Why `type` cannot be a node's instance type, or undefined when it can. */
function problemOf(type: string): string | undefined {
  const [family, size] = type.split('.', 2);
  if (!FAMILIES.has(family)) return `"${type}": aws-cdk-lib knows no instance family "${family}"`;
  if (!SIZES.has(size ?? '')) return `"${type}": no EC2 family has the size "${size ?? ''}"`;
  const architecture = new InstanceType(type).architecture;
  if (architecture !== NODE_ARCHITECTURE) return `"${type}" is ${architecture}`;
  return undefined;
}

/** A non-empty list of instance types; the error names the first one that cannot be used. */
export function instanceTypes(): ValueType<string[]> {
  const names = list(/^[^\s,]+$/, ITEMS);
  return {
    kind: names.kind,
    rule: `${names.rule}, at least one`,
    read(key, raw, earlier) {
      const types = names.read(key, raw, earlier);
      if (types.length === 0) throw new ConfigError(key, raw, `${names.rule}, at least one`);
      const problem = types.map(problemOf).find((p) => p !== undefined);
      if (problem) throw new ConfigError(key, raw, `${names.rule} (${problem})`);
      return types;
    },
  };
}
