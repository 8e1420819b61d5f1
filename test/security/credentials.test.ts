/**
 * No credentials in what we ship: the synthesised CloudFormation template, the plain-YAML
 * manifests of every target, and the files tracked in the repository.
 *
 * RPC credentials only ever exist at run time (the controller generates them into a Secret, or
 * the user brings one); the controller's logs are checked for them in
 * test/controller/runtime/controller-mesh.test.ts, test/controller/main.test.ts and
 * test/controller/leader-election.plane.test.ts.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../../config';
import { PLATFORM_TARGETS } from '../../k8s/common';
import { synthTarget } from '../../k8s/synth';
import { synthPlatform } from '../helpers/synth';

const ROOT = path.resolve(__dirname, '..', '..');

/** Patterns of secret material, each with a name for the report. */
const SECRET_PATTERNS: ReadonlyArray<readonly [string, RegExp]> = [
  // A password value, in JSON or YAML (an empty value or a reference is fine).
  ['password value (JSON)', /"[A-Za-z_-]*password"\s*:\s*"[^"$][^"]*"/i],
  ['password value (YAML)', /^\s*[A-Za-z_-]*password:\s*(?!\s*$)(?!\$\()['"]?[^\s'"{]+/im],
  // bitcoind's salted rpcauth line: user:<32 hex salt>$<64 hex hmac>
  ['rpcauth line', /[\w.-]+:[0-9a-f]{32}\$[0-9a-f]{64}/],
  ['rpcauth or rpcpassword flag with a literal', /-rpc(auth|password)=(?!\$\()[^\s"',\]`]+/],
  ['AWS access key id', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['AWS secret access key', /aws_?secret_?access_?key\W{1,4}[A-Za-z0-9/+]{40}/i],
  ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
];

/** Known non-secrets in tracked files, each with its reason; an entry that matches nothing fails. */
const ALLOWED: ReadonlyArray<{ file: string; pattern: string; reason: string }> = [
  {
    file: 'test/controller/process.test.ts',
    pattern: 'rpcauth line',
    reason: 'a published test vector of the rpcauth algorithm, for the made-up password s3cret-pw',
  },
];

/**
 * In source code `password: value` is an object property holding an expression, not a YAML value;
 * a literal there would be a quoted string, which the JSON pattern does not see either. Source
 * files are checked for the structural patterns only.
 */
const YAML_ONLY = new Set(['password value (YAML)']);
const SOURCE_FILE = /\.(ts|js|mjs|cjs|go)$/;

/** What matched, as "<where>: <pattern>: <excerpt>" lines; empty when clean. */
export function findSecrets(text: string, where: string): string[] {
  const found: string[] = [];
  for (const [name, pattern] of SECRET_PATTERNS) {
    if (SOURCE_FILE.test(where) && YAML_ONLY.has(name)) continue;
    const m = pattern.exec(text);
    if (m) found.push(`${where}: ${name}: ${m[0].slice(0, 80)}`);
  }
  return found;
}

describe('the secret detector', () => {
  // Built at run time, so that this file itself holds no match.
  const hex = (n: number) => 'ab'.repeat(n / 2);
  test.each([
    ['password value (JSON)', `{"password":"${'hunter'}2"}`],
    ['password value (YAML)', `data:\n  rpc_password: ${'s3'}cret\n`],
    ['rpcauth line', `alice:${hex(32)}$${hex(64)}`],
    ['rpcauth or rpcpassword flag with a literal', `args: ["-rpc${'password'}=pw"]`],
    ['AWS access key id', `key: ${'AKIA'}ABCDEFGHIJKLMNOP`],
    ['AWS secret access key', `aws_secret_access_key = ${'A'.repeat(40)}`],
    ['private key', `-----BEGIN ${'RSA PRIVATE'} KEY-----`],
  ])('catches a %s', (name, sample) => {
    expect(findSecrets(sample, 'sample')).toEqual([expect.stringContaining(`sample: ${name}: `)]);
  });

  test('reads `password:` in source code as a property, not a YAML value', () => {
    const code = 'const c = {\n  password: decode(secret),\n};';
    expect(findSecrets(code, 'lib/x.ts')).toEqual([]);
    expect(findSecrets(code, 'manifest.yaml')).toHaveLength(1);
  });

  test.each([
    ['a Secret-backed variable', '-rpcauth=$(RPC_AUTH)'],
    ['a secretKeyRef', 'name: RPC_PASSWORD\n  valueFrom:\n    secretKeyRef:\n      key: password'],
    ['an empty password', '"password":""'],
    ['a flag named in Markdown', 'no `-rpcpassword=`/`-rpcauth=` literals'],
  ])('ignores %s', (_name, sample) => {
    expect(findSecrets(sample, 'sample')).toEqual([]);
  });
});

describe('no credentials', () => {
  test('in the synthesised CloudFormation template', () => {
    const template = JSON.stringify(synthPlatform().toJSON(), null, 1);
    expect(findSecrets(template, 'template')).toEqual([]);
  });

  test.each(PLATFORM_TARGETS)('in the plain-YAML manifests of the %s target', (target) => {
    const charts = synthTarget(
      target,
      loadConfig(() => undefined),
    );
    expect(charts.length).toBeGreaterThan(0);
    expect(charts.flatMap((c) => findSecrets(c.yaml, c.fileName))).toEqual([]);
    // Nor a Secret with data: every credential is made at run time.
    const secretsWithData = charts.flatMap((c) =>
      c.objects
        .filter((o) => o.kind === 'Secret' && (o.data !== undefined || o.stringData !== undefined))
        .map((o) => `${c.fileName}: ${(o.metadata as { name?: string }).name}`),
    );
    expect(secretsWithData).toEqual([]);
  });

  test('in the files tracked by git', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
      .split('\0')
      .filter((f) => f !== '' && fs.existsSync(path.join(ROOT, f)))
      // lock files hold integrity hashes, not secrets, and are large
      .filter((f) => !/(^|\/)(package-lock\.json|go\.sum)$/.test(f));
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((f) => {
      const buf = fs.readFileSync(path.join(ROOT, f));
      if (buf.includes(0)) return []; // binary
      return findSecrets(buf.toString('utf8'), f);
    });
    const allowed = (line: string) =>
      ALLOWED.some((a) => line.startsWith(`${a.file}: ${a.pattern}: `));
    expect(found.filter((line) => !allowed(line))).toEqual([]);
    // and no allowance is stale
    expect(
      ALLOWED.filter((a) => !found.some((l) => l.startsWith(`${a.file}: ${a.pattern}: `))),
    ).toEqual([]);
  });
});
