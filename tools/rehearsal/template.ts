/**
 * The CloudFormation template the rehearsal replays: synthesised in this process from cdk.json's
 * context plus `-c key=value` overrides, exactly as `cdk synth` builds it without credentials.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { adminEntryIdsOf } from '../../lib/admin-entries';
import { claimNamesOf } from '../../lib/kept-claim-names';
import { synthApp } from '../base/app-synth';

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | readonly string[];
  readonly Condition?: string;
  /** `Retain`: CloudFormation forgets the resource instead of deleting it. */
  readonly DeletionPolicy?: string;
}

export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, TemplateResource>>;
  readonly Parameters?: Readonly<Record<string, { readonly Default?: unknown }>>;
  readonly Conditions?: Readonly<Record<string, unknown>>;
}

/**
 * Synthesises the app into a temporary folder and returns the stack's template. `overrides`
 * are the strings `-c key=value` would pass; like the CLI, they win over cdk.json. Given the
 * template `deployed` before (an upgrade), its admin entries keep their logical IDs and its claims
 * their names, as a synth with credentials keeps them (bin/app.ts).
 */
export function synthTemplate(
  overrides: Readonly<Record<string, string>> = {},
  deployed?: CfnTemplate,
): CfnTemplate {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-synth-'));
  try {
    const recorded = deployed
      ? { keptEntryIds: adminEntryIdsOf(deployed), keptClaimNames: claimNamesOf(deployed) }
      : {};
    const { stack, assembly } = synthApp({ context: overrides, recorded, outdir });
    return assembly.getStackByName(stack.stackName).template as CfnTemplate;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** `key=value` pairs (as given to `-c`) as a context object; a pair without `=` is an error. */
export function parseContextArgs(pairs: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`-c takes key=value, got "${pair}"`);
    context[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return context;
}
