/** The command line of `npm run rehearse`. */
import { parseContextArgs } from './template';

export const USAGE =
  'usage: npm run rehearse -- [-c key=value]... [--no-updates] [--from <git ref | template.json>]';

export interface RehearsalArguments {
  /** The `-c key=value` pairs, as a context object. */
  readonly context: Readonly<Record<string, string>>;
  /** Whether the update table runs (`--no-updates` skips it). */
  readonly updates: boolean;
  /** Where an upgrade rehearsal starts: a git ref or a template file. */
  readonly from?: string;
}

export function parseArguments(argv: readonly string[]): RehearsalArguments {
  const pairs: string[] = [];
  let updates = true;
  let from: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if ((arg === '-c' || arg === '--context') && value !== undefined) {
      pairs.push(value);
      i++;
    } else if (arg === '--from' && value !== undefined && value !== '') {
      if (from !== undefined) throw new Error(`--from given twice; ${USAGE}`);
      from = value;
      i++;
    } else if (arg === '--no-updates') {
      updates = false;
    } else {
      throw new Error(`unexpected argument "${arg}"; ${USAGE}`);
    }
  }
  return { context: parseContextArgs(pairs), updates, ...(from !== undefined ? { from } : {}) };
}
