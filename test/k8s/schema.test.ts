/**
 * Every object of both targets against the Kubernetes OpenAPI schema of the cluster's version,
 * with kubernetes-validate in strict mode: an unknown field (a typo) is an error, not ignored.
 *
 * The validator is pinned in tools/python/ and installed once per machine by `npm test`'s setup
 * (or here, when this file runs on its own).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Yaml } from 'cdk8s';
import { synthTarget, writeTarget } from '../../k8s/synth';
import { pythonToolPath } from '../../tools/setup/python-tools';
import { EVERYTHING, TARGETS, config, find, objectsOf } from '../helpers/k8s';

const KUBERNETES_VERSION = config().infra.kubernetesVersion;
const CUSTOM_RESOURCE_WARNING =
  /WARN .* Couldn't find schema for kind BitcoinNetwork with api version bitcoin\.eksplatform\.dev\//;

let validator: string;
let out: string;

beforeAll(() => {
  validator = pythonToolPath('kubernetes-validate');
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-test-'));
}, 300_000);

afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

function validate(files: readonly string[]): { status: number | null; output: string } {
  const result = spawnSync(
    validator,
    ['--kubernetes-version', KUBERNETES_VERSION, '--strict', ...files],
    { encoding: 'utf8' },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Built-in API groups, which the schemas cover; custom resources would only get a warning. */
function isBuiltIn(apiVersion: string): boolean {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return group === '' || !group.includes('.') || group.endsWith('.k8s.io');
}

describe.each(TARGETS)('%s target', (target) => {
  test.each([
    ['defaults', {}],
    ['every opt-in', EVERYTHING],
  ])(
    `with %s, every object passes the Kubernetes ${KUBERNETES_VERSION} schema`,
    (variant, overrides) => {
      const files = writeTarget(path.join(out, variant), target, config(overrides));
      const { status, output } = validate(files);
      // Custom resources have no schema here: the CRD's own schema tests and the server-side
      // dry run against a real apiserver cover them.
      const unchecked = output.split('\n').filter((line) => /ERROR|WARN/.test(line));
      expect(unchecked.filter((line) => !CUSTOM_RESOURCE_WARNING.test(line))).toEqual([]);
      expect(status).toBe(0);
      // Each built-in object was really checked, none skipped for want of a schema.
      const passed = output.split('\n').filter((line) => / passed for resource /.test(line));
      const objects = synthTarget(target, config(overrides)).flatMap((c) => c.objects);
      const builtIn = objects.filter((o) => isBuiltIn(String(o.apiVersion)));
      expect(passed).toHaveLength(builtIn.length);
    },
  );
});

describe('a misspelt field', () => {
  function writeBroken(name: string, mutate: (deployment: Record<string, unknown>) => void) {
    const deployment = structuredClone(find(objectsOf('eks'), 'Deployment', 'httpd'));
    mutate(deployment as unknown as Record<string, unknown>);
    const file = path.join(out, `${name}.yaml`);
    fs.writeFileSync(file, Yaml.stringify(deployment));
    return file;
  }

  test('in a container is rejected', () => {
    const file = writeBroken('container-typo', (d) => {
      const c = (d as any).spec.template.spec.containers[0];
      c.readinesProbe = c.readinessProbe;
      delete c.readinessProbe;
    });
    const { status, output } = validate([file]);
    expect(status).not.toBe(0);
    expect(output).toMatch(/ERROR .*'readinesProbe' was unexpected/);
  });

  test('in metadata is rejected', () => {
    const file = writeBroken('metadata-typo', (d) => {
      const m = (d as any).metadata;
      m.namespce = m.namespace;
      delete m.namespace;
    });
    const { status, output } = validate([file]);
    expect(status).not.toBe(0);
    expect(output).toMatch(/'namespce' was unexpected/);
  });

  test('the unbroken object passes, so the failures above are the typos', () => {
    const file = writeBroken('unbroken', () => undefined);
    expect(validate([file]).status).toBe(0);
  });
});
