import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildInPlace, cacheRoot, isComplete } from '../base/cache';
import { REPO_ROOT } from '../base/repo-root';
import { python } from './prerequisites';
import { runLogged } from './run-logged';

/**
 * The Python tools the checks run, each in its own venv from a fully pinned requirements file
 * in tools/python/. Expected times: cold install on this project's 2-core CI machine.
 */
export const PYTHON_TOOLS = {
  'cfn-lint': { executable: 'cfn-lint', expectedMs: 100_000 },
  'kubernetes-validate': { executable: 'kubernetes-validate', expectedMs: 30_000 },
  checkov: { executable: 'checkov', expectedMs: 120_000 },
  // Not a tool but the interpreter the rehearsal runs aws-cdk-lib's kubectl handler with.
  'kubectl-handler': { executable: 'python', expectedMs: 20_000 },
} as const;

export type PythonTool = keyof typeof PYTHON_TOOLS;

const REQUIREMENTS_DIR = path.join(__dirname, '..', 'python');

export interface Venv {
  readonly dir: string;
  /** The requirements file's hash: another pin is another venv, side by side. */
  readonly key: string;
  readonly executable: string;
}

export function venvOf(tool: PythonTool, root = cacheRoot()): Venv {
  const requirements = fs.readFileSync(requirementsOf(tool));
  const key = createHash('sha256').update(requirements).digest('hex');
  const dir = path.join(root, 'python', `${tool}-${key.slice(0, 12)}`);
  return { dir, key, executable: path.join(dir, 'bin', PYTHON_TOOLS[tool].executable) };
}

/** Stamped, and its interpreter still exists (a venv's python links to the system one). */
export function isInstalled(venv: Venv): boolean {
  return isComplete(venv.dir, venv.key) && fs.existsSync(path.join(venv.dir, 'bin', 'python'));
}

/**
 * The tool's executable for a test run on its own (`npx jest <file>`, no pretest): installs it
 * first through the setup, progress on stderr, when this machine does not have it yet.
 */
export function pythonToolPath(tool: PythonTool): string {
  const venv = venvOf(tool);
  if (!isInstalled(venv)) {
    const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
    execFileSync(tsx, [path.join(__dirname, 'main.ts'), '--print', tool], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return venv.executable;
}

export async function install(tool: PythonTool, venv: Venv): Promise<void> {
  const log = `${venv.dir}.log`;
  await buildInPlace(venv.dir, venv.key, async (dir) => {
    fs.rmSync(log, { force: true });
    await runLogged(python(), ['-m', 'venv', dir], log);
    const pip = ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input'];
    await runLogged(
      path.join(dir, 'bin', 'python'),
      [...pip, '--requirement', requirementsOf(tool)],
      log,
    );
    await runLogged(venv.executable, ['--version'], log);
  });
}

function requirementsOf(tool: PythonTool): string {
  return path.join(REQUIREMENTS_DIR, `${tool}.txt`);
}
