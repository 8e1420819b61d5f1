import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_SCHEMA } from '../../config';
import { CONFIG_DOC_PATH, WRITE_CONFIG_DOC_COMMAND, renderConfigDoc } from '../../config/docs';

const docFile = path.join(__dirname, '..', '..', CONFIG_DOC_PATH);
const doc = fs.readFileSync(docFile, 'utf8');
const keys = Object.values(CONFIG_SCHEMA).flatMap((section) => Object.keys(section));

describe('docs/configuration.md', () => {
  test('is what the schema renders', () => {
    const state =
      doc === renderConfigDoc() ? 'up to date' : `stale: run ${WRITE_CONFIG_DOC_COMMAND}`;
    expect(`${CONFIG_DOC_PATH} is ${state}`).toBe(`${CONFIG_DOC_PATH} is up to date`);
  });

  test.each(keys)('has a row for %s', (key) => {
    expect(doc).toMatch(new RegExp(`^\\| \`${key}\` +\\|`, 'm'));
  });

  test('has a row for each key and nothing else', () => {
    const rows = doc.match(/^\| `\w+` +\|/gm) ?? [];
    expect(rows.map((row) => /`(\w+)`/.exec(row)?.[1])).toEqual(keys);
  });
});

test('no key is in two sections, as context is one flat namespace', () => {
  expect(new Set(keys).size).toBe(keys.length);
});
