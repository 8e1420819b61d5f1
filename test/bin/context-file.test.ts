import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { recordContextValue } from '../../bin/context-file';

describe('recordContextValue', () => {
  const file = () => join(mkdtempSync(join(tmpdir(), 'context-')), 'cdk.context.json');

  test('creates the file, two-space indented with a final newline, as the CDK CLI writes it', () => {
    const path = file();
    recordContextValue(path, 'k', ['v']);
    expect(readFileSync(path, 'utf8')).toBe('{\n  "k": [\n    "v"\n  ]\n}\n');
  });

  test("keeps the look-ups CDK recorded, and replaces only the key's value", () => {
    const path = file();
    const azs = ['eu-west-1a', 'eu-west-1b'];
    writeFileSync(path, JSON.stringify({ 'availability-zones:account=1:region=r': azs, k: 1 }));
    recordContextValue(path, 'k', 2);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      'availability-zones:account=1:region=r': azs,
      k: 2,
    });
  });
});
