/**
 * Every pinned earlier template is rehearsed: each has a case, and each case a test file of its
 * own that runs it (a case without one would never run).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  PINNED_TEMPLATES_DIR,
  pinnedTemplateFile,
} from '../../../tools/rehearsal/pinned-templates';
import { UPGRADE_CASES } from './upgrade-cases';

const caseFile = (name: string) => path.join(__dirname, `rehearsal-upgrade-${name}.test.ts`);

test('each pinned template is the earlier version of one upgrade case', () => {
  const pinned = fs.readdirSync(PINNED_TEMPLATES_DIR).filter((f) => f.endsWith('.template.json'));
  const rehearsed = Object.values(UPGRADE_CASES).map(({ ref, context }) =>
    path.basename(pinnedTemplateFile(ref, context)),
  );
  expect([...rehearsed].sort()).toEqual([...pinned].sort());
});

test.each(Object.keys(UPGRADE_CASES))('the case %s has a test file that runs it', (name) => {
  expect(fs.readFileSync(caseFile(name), 'utf8')).toContain(`describeUpgrade('${name}');`);
});
