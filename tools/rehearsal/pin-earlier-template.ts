/**
 * `npm run rehearse:pin -- <git ref>... [-c key=value]...`: pins the template of each commit for
 * the upgrade suite under test/fixtures/earlier-templates/ (named by pinned-templates.ts). Each is
 * our own `cdk synth` output of that commit at the defaults of its cdk.json plus the `-c` pairs,
 * offline (no AWS credentials, so the app asks AWS nothing), with this checkout's node_modules:
 * exactly what `npm run rehearse -- --from <ref>` deploys, written as the CDK wrote it, nothing
 * masked.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../base/repo-root';
import { loadEarlierTemplate } from './earlier-template';
import { pinnedTemplateFile } from './pinned-templates';
import { parseContextArgs } from './template';

const USAGE = 'usage: npm run rehearse:pin -- <git ref>... [-c key=value]...';

function main(argv: readonly string[]): void {
  const refs: string[] = [];
  const pairs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '-c' && argv[i + 1] !== undefined) pairs.push(argv[++i]);
    else if (!argv[i].startsWith('-')) refs.push(argv[i]);
    else throw new Error(`unexpected argument "${argv[i]}"; ${USAGE}`);
  }
  if (refs.length === 0) throw new Error(USAGE);
  const context = parseContextArgs(pairs);
  for (const ref of refs) {
    const { template } = loadEarlierTemplate(ref, context, { cwd: REPO_ROOT });
    const file = pinnedTemplateFile(ref, context);
    fs.writeFileSync(file, `${JSON.stringify(template, null, 1)}\n`);
    process.stdout.write(`${path.relative(REPO_ROOT, file)}: ${fs.statSync(file).size} bytes\n`);
  }
}

try {
  main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`rehearse:pin: ${(err as Error).message}\n`);
  process.exitCode = 2;
}
