import type { DeployedStack, DeployedTemplate } from './deployed-stack';

/** A value that must stay what it was deployed with, and what this synth does about it. */
export interface Kept<T> {
  /** The value this synth uses. */
  readonly value: T;
  /**
   * What this synth must record in cdk.context.json.
   * @default - nothing to record: the key has a value already, or the deployed stack is unknown
   */
  readonly record?: T;
  /**
   * One line when the deployed value could not be learned.
   * @default - no warning: the value is recorded or learned, or there is nobody to ask
   */
  readonly warning?: string;
}

export interface KeptAcrossDeploysInput<T> {
  /** The key's value in cdk.context.json, if any. */
  readonly recorded: unknown;
  /** Checks a recorded value: throws a ConfigError naming the key, the value and what is allowed. */
  readonly read: (recorded: unknown) => T;
  /**
   * The deployed stack, asked while nothing is recorded.
   * @default - not asked (offline): nothing is kept or recorded
   */
  readonly deployed?: DeployedStack;
  /** The value a deployed template has. */
  readonly of: (template: DeployedTemplate) => T;
  /** The value of a stack with nothing to keep: no stack yet, or offline. */
  readonly empty: T;
  /** What to do when CloudFormation did not answer, given its error: warn, keep nothing, or refuse. */
  readonly whenUnknown: (reason: string) => Kept<T>;
}

/**
 * What the deployed stack has and an upgrade must keep: the value recorded in cdk.context.json;
 * while nothing is, the deployed stack's, which is then recorded, so that every later synth, by
 * anyone and offline too, makes the same template.
 */
export function keptAcrossDeploys<T>(input: KeptAcrossDeploysInput<T>): Kept<T> {
  const { recorded, deployed, empty } = input;
  if (recorded !== undefined) return { value: input.read(recorded) };
  if (!deployed) return { value: empty };
  if ('unknown' in deployed) return input.whenUnknown(deployed.unknown);
  const value = 'none' in deployed ? empty : input.of(deployed.template);
  return { value, record: value };
}
