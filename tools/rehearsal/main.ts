/**
 * `npm run rehearse [-- -c key=value ...] [--no-updates]`: what `cdk deploy`, a second deploy
 * per change of the update table, and `cdk destroy` do to the Kubernetes side, with aws-cdk-lib's
 * own kubectl handler against the test plane, inside a network namespace (the npm script runs it
 * in one). Prints the report; exits 1 on any failure or leftover, naming it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { rehearse } from './rehearsal';
import { exitCode, renderReport } from './report';
import { parseContextArgs } from './template';
import { UPDATE_TABLE, UPDATE_TABLE_START } from './update-table';

const USAGE = 'usage: npm run rehearse -- [-c key=value]... [--no-updates]';

async function main(argv: readonly string[]): Promise<number> {
  const pairs: string[] = [];
  let updates = true;
  for (let i = 0; i < argv.length; i++) {
    if ((argv[i] === '-c' || argv[i] === '--context') && argv[i + 1] !== undefined)
      pairs.push(argv[++i]);
    else if (argv[i] === '--no-updates') updates = false;
    else throw new Error(`unexpected argument "${argv[i]}"; ${USAGE}`);
  }
  // The table starts one minor behind (its first change is the upgrade); -c wins.
  const context = { ...(updates ? UPDATE_TABLE_START : {}), ...parseContextArgs(pairs) };
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-'));
  let code = 2;
  try {
    const report = await rehearse({ context, workDir, updates: updates ? UPDATE_TABLE : [] });
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
