import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from '../../bin/synth-k8s';

describe('parseArgs', () => {
  test('defaults to both targets into dist', () => {
    expect(parseArgs([])).toEqual({ targets: ['eks', 'local'], outDir: 'dist', context: {} });
  });

  test('reads --target, --out and -c in both spellings', () => {
    expect(
      parseArgs(['--target', 'local', '--out=build', '-c', 'webReplicas=3', '--context=a=b=c']),
    ).toEqual({ targets: ['local'], outDir: 'build', context: { webReplicas: '3', a: 'b=c' } });
  });

  test('refuses an unknown target or argument, naming it', () => {
    expect(() => parseArgs(['--target', 'gke'])).toThrow(
      '--target must be one of eks, local, got "gke"',
    );
    expect(() => parseArgs(['--verbose'])).toThrow('unknown argument "--verbose"');
    expect(() => parseArgs(['-c', 'novalue'])).toThrow('-c expects key=value, got "novalue"');
  });
});

test('npm run synth:k8s with a bad config value exits 1 and names the key', () => {
  const root = path.resolve(__dirname, '..', '..');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-cli-'));
  try {
    const result = spawnSync(
      path.join(root, 'node_modules', '.bin', 'tsx'),
      ['bin/synth-k8s.ts', '--out', out, '-c', 'webReplicas=-1'],
      { cwd: root, encoding: 'utf8' },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid config "webReplicas": got "-1"');
    expect(fs.readdirSync(out)).toEqual([]);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
