/**
 * Where `npm run rehearse:pin` writes the template of a commit and the upgrade suite reads it:
 * `<ref>.template.json` at the commit's defaults, `<ref>+key=value….template.json` with `-c` pairs.
 */
import * as path from 'node:path';
import { REPO_ROOT } from '../base/repo-root';

export const PINNED_TEMPLATES_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'earlier-templates');

export function pinnedTemplateFile(
  ref: string,
  context: Readonly<Record<string, string>> = {},
): string {
  const pairs = Object.entries(context).map(([key, value]) => `+${key}=${value}`);
  return path.join(PINNED_TEMPLATES_DIR, `${ref}${pairs.join('')}.template.json`);
}
