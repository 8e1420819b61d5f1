import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { CONTROLLER_HEALTH_PORT, CONTROLLER_UID } from '../../k8s/bitcoin-operator-chart';

const ROOT = path.join(__dirname, '..', '..');
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
  test('emits controller/main.ts as dist/controller/main.js, strict, without tests or test doubles', () => {
    // GIVEN a copy of both configs next to a main.ts and a test file
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'controller-build-'));
    try {
      fs.mkdirSync(path.join(root, 'controller'));
      for (const file of ['tsconfig.json', 'controller/tsconfig.build.json']) {
        fs.copyFileSync(path.join(ROOT, file), path.join(root, file));
      }
      fs.mkdirSync(path.join(root, 'controller', 'testing'));
      for (const file of [
        'controller/main.ts',
        'controller/queue.test.ts',
        'controller/testing/kube.ts',
      ]) {
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

describe('the image build step', () => {
  test('compiles controller/ on its own, with controller/main.ts as the entry point', () => {
    expect(fs.existsSync(path.join(ROOT, 'controller', 'main.ts'))).toBe(true);
    // Fails with TS6059 when the controller imports from outside controller/, which the image
    // would not contain.
    const tsc = path.join(ROOT, 'node_modules', '.bin', 'tsc');
    expect(() =>
      execFileSync(tsc, ['-p', 'controller/tsconfig.build.json', '--noEmit'], {
        cwd: ROOT,
        stdio: 'pipe',
      }),
    ).not.toThrow();
  });

  test('takes in no test double, not even through an import', () => {
    const config = ts.getParsedCommandLineOfConfigFile(
      path.join(ROOT, 'controller', 'tsconfig.build.json'),
      undefined,
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
    )!;
    const program = ts.createProgram(config.fileNames, config.options);
    const doubles = program
      .getSourceFiles()
      .map((f) => path.relative(ROOT, f.fileName))
      .filter((f) => f.startsWith(path.join('controller', 'testing')));
    expect(doubles).toEqual([]);
  });
});

describe('.dockerignore', () => {
  test.each([
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'controller/Dockerfile',
    'controller/tsconfig.build.json',
    'controller/main.ts',
    'controller/api/network.ts',
    'controller/reconcile/desired/stateful-set.ts',
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
    'controller/testing/kube.ts',
    'config/schema.ts',
    'lib/app.ts',
    'k8s/crds/bitcoinnetwork.yaml',
    '.env',
    '.git/config',
  ])('leaves %s out of the build context', (file) => {
    expect(dockerignore().ignores(file)).toBe(true);
  });
});
