import { accessSync, constants, statSync } from 'fs';
import { delimiter, join } from 'path';

/**
 * The container builder `cdk deploy` runs to build image assets, if this machine lacks it:
 * `$CDK_DOCKER` (finch, podman, ...) or else `docker`, looked up on PATH as the CLI would run
 * it. Undefined when it is there. Only the executable is checked, not that its daemon runs.
 */
export function missingImageBuilder(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const builder = env.CDK_DOCKER || 'docker';
  // Windows finds `docker.exe` for `docker`.
  const extensions =
    process.platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE').split(';')] : [''];
  const places = builder.includes('/')
    ? [builder]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, builder));
  const found = places.some((place) => extensions.some((ext) => isExecutableFile(place + ext)));
  return found ? undefined : builder;
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
