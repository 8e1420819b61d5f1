/**
 * `npm run rehearse [-- -c key=value ...] [--no-updates] [--from <git ref | template.json>]`: what
 * `cdk deploy` (after an earlier version's deploy, with --from), a second deploy per change of
 * the update table, and `cdk destroy` do to the Kubernetes side, with aws-cdk-lib's own kubectl
 * handler against the test plane, inside a network namespace (the npm script runs it in one).
 * Prints the report; exits 1 on any failure or leftover, naming it, and 2 on bad arguments.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArguments } from './arguments';
import { loadEarlierTemplate } from './earlier-template';
import { rehearse } from './rehearsal';
import { exitCode, renderReport } from './report';
import { CONFIG_CHANGES, UPDATE_TABLE, UPDATE_TABLE_START } from './update-table';

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArguments(argv);
  // npm runs the script from the package root; a relative template path is the caller's.
  const from =
    args.from === undefined
      ? undefined
      : loadEarlierTemplate(args.from, args.context, { cwd: process.env.INIT_CWD });
  // The table starts one minor behind (its first change is the upgrade); -c wins. An upgrade
  // from an earlier version lands on the default minor, so only the table's other changes follow.
  const start = args.updates && !from ? UPDATE_TABLE_START : {};
  const updates = args.updates ? (from ? CONFIG_CHANGES : UPDATE_TABLE) : [];
  const context = { ...start, ...args.context };
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-'));
  let code = 2;
  try {
    const report = await rehearse({ context, workDir, updates, ...(from ? { from } : {}) });
    process.stdout.write(renderReport(report));
    code = exitCode(report);
  } finally {
    // Each handler call's event, log and work files, the controller's log: kept when they matter.
    if (code === 0 || !fs.existsSync(path.join(workDir, 'handler'))) {
      fs.rmSync(workDir, { recursive: true, force: true });
    } else {
      process.stderr.write(`rehearsal: handler logs and files kept in ${workDir}\n`);
    }
  }
  return code;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: Error) => {
    process.stderr.write(`rehearsal: ${err.message}\n`);
    process.exitCode = 2;
  },
);
