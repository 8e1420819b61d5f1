/**
 * The template an upgrade rehearsal starts from (`--from`): a template.json as it is, or a commit
 * of this repository synthesised offline as `cdk synth` would at that commit, with this
 * checkout's node_modules (a detached worktree in a temporary folder, removed afterwards).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../base/repo-root';
import type { CfnTemplate } from './template';

/** A `--from` that names nothing usable; its message is the one line the user sees. */
export class EarlierTemplateError extends Error {
  override readonly name = 'EarlierTemplateError';
}

export interface EarlierTemplate {
  /** What `--from` said, for the report. */
  readonly label: string;
  readonly template: CfnTemplate;
}

const EXPECTED = 'a git ref of this repository or a template.json';

/**
 * `from` as a file if one exists at that path (relative to `cwd`), else as a git ref of
 * `repoDir`; `context` is passed to a ref's synth as `-c key=value`.
 */
export function loadEarlierTemplate(
  from: string,
  context: Readonly<Record<string, string>>,
  { cwd = process.cwd(), repoDir = REPO_ROOT }: { cwd?: string; repoDir?: string } = {},
): EarlierTemplate {
  const file = path.resolve(cwd, from);
  if (fs.existsSync(file) && fs.statSync(file).isFile())
    return { label: from, template: readTemplateFile(file) };
  const commit = resolveCommit(repoDir, from);
  if (!commit) {
    throw new EarlierTemplateError(
      `--from "${from}": expected ${EXPECTED}, found neither a file nor a commit of that name`,
    );
  }
  return { label: from, template: synthCommit(repoDir, commit, context) };
}

/** Reads a template.json, refusing anything that is not a stack with one EKS cluster. */
export function readTemplateFile(file: string): CfnTemplate {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new EarlierTemplateError(
      `--from "${file}": expected a CloudFormation template (JSON), the file is not JSON`,
    );
  }
  return asClusterTemplate(parsed, file);
}

function asClusterTemplate(parsed: unknown, source: string): CfnTemplate {
  const resources = (parsed as { Resources?: unknown } | null)?.Resources;
  if (typeof resources !== 'object' || resources === null) {
    throw new EarlierTemplateError(
      `--from "${source}": expected a CloudFormation template, found no Resources`,
    );
  }
  const clusters = Object.values(resources as Record<string, { Type?: unknown }>).filter(
    (r) => r?.Type === 'AWS::EKS::Cluster',
  ).length;
  if (clusters !== 1) {
    throw new EarlierTemplateError(
      `--from "${source}": expected a CloudFormation template with one AWS::EKS::Cluster, found ${clusters}`,
    );
  }
  return parsed as CfnTemplate;
}

function resolveCommit(repoDir: string, ref: string): string | undefined {
  // A ref that starts with - would be read as an option.
  if (ref.startsWith('-')) return undefined;
  try {
    return execFileSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
      cwd: repoDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

/**
 * `cdk synth` of `commit` at the defaults of its own cdk.json plus `context`, without AWS
 * credentials (the app then asks AWS nothing), into a temporary folder; returns the template
 * that has the cluster.
 */
export function synthCommit(
  repoDir: string,
  commit: string,
  context: Readonly<Record<string, string>>,
): CfnTemplate {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-from-'));
  const src = path.join(dir, 'src');
  const out = path.join(dir, 'cdk.out');
  execFileSync('git', ['worktree', 'add', '--detach', src, commit], {
    cwd: repoDir,
    stdio: 'ignore',
  });
  try {
    fs.symlinkSync(path.join(repoDir, 'node_modules'), path.join(src, 'node_modules'));
    const env = { ...process.env };
    // The CLI sets CDK_DEFAULT_ACCOUNT when it finds credentials; the apps ask AWS only then.
    for (const key of Object.keys(env)) if (/^(AWS_|CDK_DEFAULT_)/.test(key)) delete env[key];
    const contextArgs = Object.entries(context).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
    try {
      execFileSync('npx', ['cdk', 'synth', '-q', '-o', out, ...contextArgs], {
        cwd: src,
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } catch (err) {
      const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim();
      throw new EarlierTemplateError(
        `--from ${commit.slice(0, 7)}: cdk synth of that commit failed: ${stderr.split('\n').pop()}`,
      );
    }
    const templates = fs
      .readdirSync(out)
      .filter((f) => f.endsWith('.template.json'))
      .map((f) => JSON.parse(fs.readFileSync(path.join(out, f), 'utf8')) as CfnTemplate)
      .filter((t) => Object.values(t.Resources ?? {}).some((r) => r.Type === 'AWS::EKS::Cluster'));
    if (templates.length !== 1) {
      throw new EarlierTemplateError(
        `--from ${commit.slice(0, 7)}: expected one stack with an AWS::EKS::Cluster, found ${templates.length}`,
      );
    }
    return asClusterTemplate(templates[0], commit.slice(0, 7));
  } finally {
    execFileSync('git', ['worktree', 'remove', '--force', src], { cwd: repoDir, stdio: 'ignore' });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
