import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// The layer boundaries live in eslint.config.mjs; `npm run lint` checks the tree against them.
// These cases prove each rule fires on a forbidden import and stays quiet on an allowed one.
// ESLint loads its ES-module config with a dynamic import, which jest's VM cannot do, so one
// child process lints every case.
const LINT_CASES = `
  import { ESLint } from 'eslint';
  const cases = JSON.parse(process.argv[1]);
  const eslint = new ESLint();
  const found = [];
  for (const [path, source] of cases) {
    const [result] = await eslint.lintText(source + '\\nexport { x };\\n', { filePath: path });
    found.push(result.messages
      .filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports')
      .map((m) => m.message));
  }
  console.log(JSON.stringify(found));
`;

/** The boundary messages ESLint reports for each `[path, source]`, as if source were that file. */
function violations(cases: [string, string][]): string[][] {
  const out = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', LINT_CASES, JSON.stringify(cases)],
    { cwd: join(__dirname, '../..'), encoding: 'utf8' },
  );
  return JSON.parse(out);
}

const FORBIDDEN: [string, string, RegExp][] = [
  ['controller/reconcile/plan.ts', "import x from 'node:http';", /reconcile is pure/],
  ['controller/reconcile/plan.ts', "import x from 'https';", /reconcile is pure/],
  ['controller/reconcile/plan.ts', "import x from 'pino';", /reconcile is pure/],
  ['controller/reconcile/plan.ts', "import x from 'node:os';", /reconcile is pure/],
  [
    'controller/reconcile/plan.ts',
    "import { x } from '@kubernetes/client-node';",
    /types, not their values/,
  ],
  [
    'controller/reconcile/plan.ts',
    "import { x } from '../kube/client';",
    /types, not their values/,
  ],
  ['controller/reconcile/plan.ts', "import { x } from '../runtime/queue';", /nothing from runtime/],
  [
    'controller/reconcile/plan.ts',
    "import { x } from '../bitcoin/rpc';",
    /types, not their values/,
  ],
  ['controller/main.ts', "import { x } from './testing/kube';", /Test doubles/],
  [
    'controller/kube/client.ts',
    "import { x } from '../../test/controller/fixtures';",
    /neither tests/,
  ],
  ['lib/cluster.ts', "import { x } from '../controller/kube/client';", /only controller\/api/],
  ['lib/cluster.ts', "import { x } from '../tools/testplane/plane';", /neither tests/],
  ['lib/cluster.ts', "import { x } from '../bin/app';", /data flows/i],
  ['k8s/platform.ts', "import { x } from '../lib/cluster';", /data flows/i],
  ['k8s/platform.ts', "import { x } from '../controller/runtime/options';", /only controller\/api/],
  ['config/schema.ts', "import { x } from '../k8s/platform';", /data flows/i],
  ['bench/synth.ts', "import { x } from '../test/helpers/synth';", /import no tests/],
  ['tools/base/cache.ts', "import { x } from '../testplane/plane';", /tools\/base imports only/],
  [
    'tools/testplane/lib/process.ts',
    "import { x } from '../../setup/cache';",
    /tools\/testplane imports only/,
  ],
  ['tools/testplane/plane.ts', "import { x } from '../netns/detect';", /tools\/testplane/],
  ['tools/netns/run.ts', "import { x } from '../bitcoin/fake-bitcoind';", /tools\/netns/],
  ['tools/setup/main.ts', "import { x } from '../rehearsal/main';", /tools\/setup/],
  ['tools/bitcoin/operator-harness.ts', "import { x } from '../setup/cache';", /tools\/bitcoin/],
];

const ALLOWED: [string, string][] = [
  ['controller/reconcile/plan.ts', "import type { x } from '@kubernetes/client-node';"],
  ['controller/reconcile/plan.ts', "import type { x } from '../kube/cached';"],
  ['controller/reconcile/plan.ts', "import { x } from '../api';"],
  ['controller/reconcile/desired/meta.ts', "import { x } from 'node:crypto';"],
  ['controller/reconcile/secret.ts', "import { x } from '../bitcoin/credentials';"],
  ['controller/main.ts', "import { x } from 'node:http';"],
  ['lib/cluster.ts', "import { x } from '../controller/api';"],
  ['lib/cluster.ts', "import { x } from '../k8s/platform';"],
  ['k8s/operator.ts', "import { x } from '../controller/api/network';"],
  ['k8s/platform.ts', "import { x } from '../config';"],
  ['bin/app.ts', "import { x } from '../lib/app';"],
  ['bench/controller.ts', "import { x } from '../controller/testing/kube';"],
  ['bench/e2e.ts', "import { x } from '../tools/testplane/plane';"],
  ['tools/testplane/plane.ts', "import { x } from '../base/cache';"],
  ['tools/netns/run.ts', "import { x } from '../testplane/plane';"],
  ['tools/setup/steps.ts', "import { x } from '../testplane/lib/binaries';"],
  ['tools/bitcoin/operator-harness.ts', "import { x } from '../netns/detect';"],
  ['tools/rehearsal/rehearsal.ts', "import { x } from '../bitcoin/fake-bitcoind';"],
  ['tools/rehearsal/rehearsal.ts', "import { x } from '../setup/kubectl-layer';"],
];

const found = violations([
  ...FORBIDDEN.map(([path, source]): [string, string] => [path, source]),
  ...ALLOWED,
]);

describe('layer boundaries', () => {
  test.each(FORBIDDEN.map((c, i) => [...c, i] as const))(
    '%s may not have %s',
    (_path, _source, message, i) => {
      expect(found[i]).toHaveLength(1);
      expect(found[i][0]).toMatch(message);
    },
  );

  test.each(ALLOWED.map((c, i) => [...c, FORBIDDEN.length + i] as const))(
    '%s may have %s',
    (_path, _source, i) => {
      expect(found[i]).toEqual([]);
    },
  );
});
