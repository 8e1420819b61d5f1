/**
 * What changing a key's value does to the deployed AWS resources, as the docs show it.
 * test/lib/config-change-effects.test.ts synthesises each key's change and checks these against
 * the CloudFormation resource schemas (`createOnlyProperties`).
 */
export enum Effect {
  /** CloudFormation updates resources in place, or adds and removes some; nothing stops. */
  IN_PLACE = 'in place',
  /** Updated in place, but what runs on them is disrupted (say, every node is replaced). */
  INTERRUPTION = 'with interruption',
  /** CloudFormation replaces resources: it creates new ones, then deletes the old ones. */
  REPLACEMENT = 'replacement',
}

export interface ChangeEffect {
  readonly effect: Effect;
  /** For an interruption, what is disrupted. */
  readonly disrupts?: string;
  /** For a replacement, the CloudFormation types replaced or deleted, sorted. */
  readonly replaces?: readonly string[];
}

/**
 * Resources whose replacement or deletion is refused at deploy (lib/replacement-guard.ts): the
 * old cluster's load balancers, security groups and volumes would be left behind.
 */
export const GUARDED_TYPES = {
  'AWS::EC2::VPC': 'the VPC',
  'AWS::EC2::Subnet': 'subnets',
  'AWS::EKS::Cluster': 'the EKS cluster',
} as const;

export type GuardedType = keyof typeof GUARDED_TYPES;

export function isGuarded(type: string): type is GuardedType {
  return type in GUARDED_TYPES;
}

export const inPlace = (): ChangeEffect => ({ effect: Effect.IN_PLACE });

export const interrupts = (disrupts: string): ChangeEffect => ({
  effect: Effect.INTERRUPTION,
  disrupts,
});

export const replaces = (...types: string[]): ChangeEffect => ({
  effect: Effect.REPLACEMENT,
  replaces: [...types].sort(),
});

/** The effect in the words of docs/configuration.md. */
export function describeEffect(change: ChangeEffect): string {
  if (change.effect === Effect.INTERRUPTION) return `${change.effect}: ${change.disrupts}`;
  if (change.effect !== Effect.REPLACEMENT) return change.effect;
  const types = change.replaces ?? [];
  const guarded = types.filter(isGuarded).map((t) => GUARDED_TYPES[t]);
  const refused =
    guarded.length > 0
      ? `; refused at deploy when it would replace or delete ${guarded.join(', ')}`
      : '';
  return `${change.effect} of ${types.map((t) => t.replace(/^AWS::/, '')).join(', ')}${refused}`;
}
