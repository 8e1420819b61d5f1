import { chmodSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { delimiter, join } from 'path';
import { missingImageBuilder } from '../../bin/image-builder';

/** A directory holding an executable `name` (and a non-executable `not-executable`). */
function binDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'image-builder-'));
  writeFileSync(join(dir, name), '#!/bin/sh\n');
  chmodSync(join(dir, name), 0o755);
  writeFileSync(join(dir, 'not-executable'), '');
  return dir;
}

describe('missingImageBuilder', () => {
  const dir = binDir('docker');
  const podmanDir = binDir('podman');
  const PATH = [join(tmpdir(), 'no-such-dir'), dir].join(delimiter);

  test('finds docker on PATH when CDK_DOCKER is not set', () => {
    expect(missingImageBuilder({ PATH })).toBeUndefined();
  });

  test('names docker when no directory of PATH has it', () => {
    expect(missingImageBuilder({ PATH: podmanDir })).toBe('docker');
    expect(missingImageBuilder({})).toBe('docker');
  });

  test('looks for the builder CDK_DOCKER names instead of docker', () => {
    expect(missingImageBuilder({ PATH: podmanDir, CDK_DOCKER: 'podman' })).toBeUndefined();
    expect(missingImageBuilder({ PATH, CDK_DOCKER: 'finch' })).toBe('finch');
  });

  test('takes a CDK_DOCKER with a slash as a path, not a name to look up', () => {
    expect(missingImageBuilder({ CDK_DOCKER: join(podmanDir, 'podman') })).toBeUndefined();
    expect(missingImageBuilder({ PATH, CDK_DOCKER: join(podmanDir, 'docker') })).toBe(
      join(podmanDir, 'docker'),
    );
  });

  test('does not count a file that is not executable', () => {
    expect(missingImageBuilder({ PATH: dir, CDK_DOCKER: 'not-executable' })).toBe('not-executable');
  });
});
