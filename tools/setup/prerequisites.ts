import { spawnSync } from 'node:child_process';

/** A missing tool the setup cannot install itself; its message is the one line the user sees. */
export class MissingPrerequisite extends Error {}

/** The oldest Go that builds kwok v0.8.0 and Kubernetes 1.36. */
const MIN_GO = { major: 1, minor: 26 };

/** The Python that makes the project's venvs (`PYTHON` overrides `python3`). */
export function python(env: NodeJS.ProcessEnv = process.env): string {
  return env.PYTHON || 'python3';
}

export function requireGo(): void {
  const wanted = `Go >= ${MIN_GO.major}.${MIN_GO.minor}`;
  const how =
    'install it from https://go.dev/dl/ and put it on PATH, ' +
    'or set SKIP_TESTPLANE=1 to skip the test-plane suites knowingly';
  const found = run('go', ['env', 'GOVERSION']);
  if (found === undefined) {
    throw new MissingPrerequisite(
      `${wanted} is needed to build the test plane and \`go\` is not on PATH: ${how}`,
    );
  }
  const match = /^go(\d+)\.(\d+)/.exec(found);
  const [major, minor] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  if (major < MIN_GO.major || (major === MIN_GO.major && minor < MIN_GO.minor)) {
    throw new MissingPrerequisite(
      `${wanted} is needed to build the test plane, found ${found || 'an unknown version'}: ${how}`,
    );
  }
}

export function requirePythonVenv(env: NodeJS.ProcessEnv = process.env): void {
  // Debian's python3 has `venv` without `ensurepip` (python3-venv), and then `-m venv` fails.
  if (run(python(env), ['-c', 'import venv, ensurepip']) === undefined) {
    throw new MissingPrerequisite(
      `Python 3 with the venv module is needed for the Python checks pinned in tools/python/ ` +
        `(cfn-lint, kubernetes-validate, checkov), ` +
        `and \`${python(env)} -m venv\` cannot work here: install python3 and python3-venv ` +
        `(Debian/Ubuntu: apt-get install python3-venv), or point PYTHON at one that has it`,
    );
  }
}

export function requireOpenssl(): void {
  if (run('openssl', ['version']) === undefined) {
    throw new MissingPrerequisite(
      'openssl is needed to make the test plane certificates and is not on PATH: ' +
        'install it (Debian/Ubuntu: apt-get install openssl)',
    );
  }
}

/** The command's trimmed stdout, or undefined when it is missing or fails. */
function run(command: string, args: readonly string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}
