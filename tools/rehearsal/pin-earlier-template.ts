/**
 * `npm run rehearse:pin -- <git ref>...`: pins the template of each commit for the upgrade suite,
 * as test/fixtures/earlier-templates/<ref>.template.json. Each is our own `cdk synth` output of
 * that commit at the defaults of its cdk.json, offline (no AWS credentials, so the app asks AWS
 * nothing), with this checkout's node_modules: exactly what `npm run rehearse -- --from <ref>`
 * deploys, written as the CDK wrote it, nothing masked.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../setup/cache';
import { loadEarlierTemplate } from './earlier-template';

const EARLIER_TEMPLATES_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'earlier-templates');

function main(refs: readonly string[]): void {
  if (refs.length === 0) throw new Error('usage: npm run rehearse:pin -- <git ref>...');
  for (const ref of refs) {
    const { template } = loadEarlierTemplate(ref, {}, { cwd: REPO_ROOT });
    const file = path.join(EARLIER_TEMPLATES_DIR, `${ref}.template.json`);
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
