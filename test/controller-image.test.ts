import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { CONTROLLER_HEALTH_PORT, CONTROLLER_UID } from '../k8s/bitcoin-operator-chart';

const ROOT = path.join(__dirname, '..');
const dockerfile = fs.readFileSync(path.join(ROOT, 'controller', 'Dockerfile'), 'utf8');
const instructions = dockerfile
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));

/** The instructions of each build stage, in order. */
function stages(): string[][] {
  const result: string[][] = [];
  for (const line of instructions) {
    if (line.startsWith('FROM ')) {
      result.push([]);
    }
    result[result.length - 1]?.push(line);
  }
  return result;
}

// CDK's DockerImageAsset reads .dockerignore with this library; resolve it where npm put it.
function dockerignore(): { ignores(p: string): boolean } {
  const candidates = [
    path.join(ROOT, 'node_modules', '@balena', 'dockerignore'),
    path.join(ROOT, 'node_modules', 'aws-cdk-lib', 'node_modules', '@balena', 'dockerignore'),
  ];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) {
    throw new Error(`@balena/dockerignore not found in ${candidates.join(' or ')}`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const factory = require(found);
  return factory().add(fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8'));
}

describe('controller/Dockerfile', () => {
  test('builds in one stage and runs from another', () => {
    expect(stages().map((s) => s[0])).toEqual([
      'FROM ${NODE_IMAGE} AS build',
      'FROM ${NODE_IMAGE} AS runtime',
    ]);
  });

  test('bases both stages on a Node.js LTS image pinned to a patch release', () => {
    const arg = instructions.find((l) => l.startsWith('ARG NODE_IMAGE='));
    expect(arg).toMatch(/^ARG NODE_IMAGE=node:(22|24)\.\d+\.\d+-[a-z]+-slim$/);
  });

  test('compiles only controller/ with its build config', () => {
    const [build] = stages();
    expect(build).toContain('RUN npx tsc -p controller/tsconfig.build.json');
    expect(build.filter((l) => l.startsWith('COPY '))).toEqual([
      'COPY package.json package-lock.json ./',
      'COPY tsconfig.json ./',
      'COPY controller/ controller/',
    ]);
  });

  test('ships production dependencies and compiled JavaScript only', () => {
    const runtime = stages()[1];
    expect(runtime).toContain(
      'RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force',
    );
    expect(runtime).toContain('COPY --from=build /app/dist/controller ./dist/controller');
    expect(runtime.some((l) => l.startsWith('COPY controller'))).toBe(false);
  });

  test('runs node dist/controller/main.js as the numeric non-root user the chart expects', () => {
    const runtime = stages()[1];
    expect(CONTROLLER_UID).toBeGreaterThan(0);
    expect(runtime).toContain(`USER ${CONTROLLER_UID}:${CONTROLLER_UID}`);
    expect(runtime[runtime.length - 1]).toBe('ENTRYPOINT ["node", "dist/controller/main.js"]');
    expect(runtime).toContain(`EXPOSE ${CONTROLLER_HEALTH_PORT}`);
  });
});

describe('controller/tsconfig.build.json', () => {
  test('emits controller/main.ts as dist/controller/main.js, strict, without tests', () => {
    // GIVEN a copy of both configs next to a main.ts and a test file
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'controller-build-'));
    try {
      fs.mkdirSync(path.join(root, 'controller'));
      for (const file of ['tsconfig.json', 'controller/tsconfig.build.json']) {
        fs.copyFileSync(path.join(ROOT, file), path.join(root, file));
      }
      for (const file of ['controller/main.ts', 'controller/queue.test.ts']) {
        fs.writeFileSync(path.join(root, file), 'export {};\n');
      }
      // WHEN tsc reads the build config
      const parsed = ts.getParsedCommandLineOfConfigFile(
        path.join(root, 'controller', 'tsconfig.build.json'),
        undefined,
        {
          ...ts.sys,
          onUnRecoverableConfigFileDiagnostic: (d) => {
            throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
          },
        },
      );
      // THEN
      expect(parsed?.errors).toEqual([]);
      const { options, fileNames } = parsed!;
      expect(options.strict).toBe(true);
      expect(options.noEmit).toBe(false);
      expect(options.types).toEqual(['node']);
      expect(path.resolve(options.rootDir!)).toBe(path.join(root, 'controller'));
      expect(path.resolve(options.outDir!)).toBe(path.join(root, 'dist', 'controller'));
      expect(fileNames).toEqual([path.join(root, 'controller', 'main.ts')]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

// Until the controller's sources land, there is nothing to compile.
const controllerSources = fs
  .readdirSync(path.join(ROOT, 'controller'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

describe('the image build step', () => {
  (controllerSources.length > 0 ? test : test.skip)(
    'compiles controller/ on its own, with controller/main.ts as the entry point',
    () => {
      if (!controllerSources.includes('main.ts')) {
        throw new Error(
          'controller/ has sources but no main.ts: the image runs node dist/controller/main.js',
        );
      }
      // Fails with TS6059 when the controller imports from outside controller/, which the image
      // would not contain.
      const tsc = path.join(ROOT, 'node_modules', '.bin', 'tsc');
      expect(() =>
        execFileSync(tsc, ['-p', 'controller/tsconfig.build.json', '--noEmit'], {
          cwd: ROOT,
          stdio: 'pipe',
        }),
      ).not.toThrow();
    },
  );
});

describe('.dockerignore', () => {
  test.each([
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'controller/Dockerfile',
    'controller/tsconfig.build.json',
    'controller/main.ts',
    // A nested folder of the controller, as in its layered layout.
    'controller/runtime/queue.ts',
  ])('sends %s to the build', (file) => {
    expect(dockerignore().ignores(file)).toBe(false);
  });

  test.each([
    'node_modules/pino/pino.js',
    'cdk.out/manifest.json',
    '.cache/x',
    'dist/controller/main.js',
    'test/k8s/bitcoin-crd.test.ts',
    'controller/queue.test.ts',
    'config/schema.ts',
    'lib/app.ts',
    'k8s/crds/bitcoinnetwork.yaml',
    '.env',
    '.git/config',
  ])('leaves %s out of the build context', (file) => {
    expect(dockerignore().ignores(file)).toBe(true);
  });
});
