import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Component,
  componentDir,
  COMPONENTS,
  isBuilt,
  otherBuiltVersions,
  planeCacheDir,
} from '../testplane/lib/binaries';
import { buildAtomically } from '../base/cache';
import { requireGo, requirePythonVenv } from './prerequisites';
import { install, isInstalled, PYTHON_TOOLS, PythonTool, venvOf } from './python-tools';
import { runLogged } from './run-logged';

/** One thing to build or install because the cache does not have it. */
export interface Step {
  readonly label: string;
  readonly expectedMs: number;
  /** Checked for every pending step before the first starts: a missing Go fails at once. */
  readonly requires: () => void;
  run(): Promise<void>;
}

const BUILD_SCRIPT = path.join(__dirname, '..', 'testplane', 'build.sh');

/** The test-plane components that are not built (or only partly). */
export function testPlaneSteps(): Step[] {
  return COMPONENTS.filter((component) => !isBuilt(component)).map(buildStep);
}

function buildStep(component: Component): Step {
  const dir = componentDir(component);
  // A machine that built another version (say the plane's previous minor) builds once more;
  // the old build stays for checkouts that still pin it.
  const others = otherBuiltVersions(component);
  const why = others.length > 0 ? ` (newly pinned: the cache has ${others.join(', ')})` : '';
  return {
    label: `building ${component.name} ${component.version}${why}`,
    expectedMs: component.expectedBuildMs,
    requires: requireGo,
    run: () =>
      buildAtomically(dir, component.version, (tmp) => {
        const log = `${dir}.log`;
        fs.rmSync(log, { force: true });
        // Go's module and build caches, next to the binaries they make a rebuild cheaper for.
        const goCache = path.join(planeCacheDir(), 'go');
        return runLogged('bash', [BUILD_SCRIPT, component.name, tmp, goCache], log);
      }),
  };
}

/** The venv of `tool`, or nothing when it is installed already. */
export function pythonToolSteps(tool: PythonTool): Step[] {
  const venv = venvOf(tool);
  if (isInstalled(venv)) return [];
  return [
    {
      label: `installing ${tool} (pinned in tools/python/${tool}.txt)`,
      expectedMs: PYTHON_TOOLS[tool].expectedMs,
      requires: requirePythonVenv,
      run: () => install(tool, venv),
    },
  ];
}
