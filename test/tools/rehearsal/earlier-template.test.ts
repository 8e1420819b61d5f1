/** Where an upgrade rehearsal starts: a template file or a commit, and what is refused. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  EarlierTemplateError,
  loadEarlierTemplate,
} from '../../../tools/rehearsal/earlier-template';
import { REPO_ROOT } from '../../../tools/base/repo-root';

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earlier-template-test-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => {
  fs.writeFileSync(path.join(dir, name), text);
  return name;
};
const load = (from: string) => loadEarlierTemplate(from, {}, { cwd: dir });
const cluster = { Type: 'AWS::EKS::Cluster', Properties: { Name: 'bitcoin-platform' } };

test('a template file with one cluster is read as it is, relative to the caller', () => {
  const template = { Resources: { Cluster: cluster, Queue: { Type: 'AWS::SQS::Queue' } } };
  const file = write('good.template.json', JSON.stringify(template));
  expect(load(file)).toEqual({ label: file, template });
});

test('a name that is neither a file nor a commit is refused in one line', () => {
  expect(() => load('no-such-ref-or-file')).toThrow(
    new EarlierTemplateError(
      '--from "no-such-ref-or-file": expected a git ref of this repository or a template.json, found neither a file nor a commit of that name',
    ),
  );
});

test('a file that is not JSON is refused', () => {
  const file = write('notes.txt', 'not a template');
  expect(() => load(file)).toThrow(
    `--from "${path.join(dir, file)}": expected a CloudFormation template (JSON), the file is not JSON`,
  );
});

test('JSON without Resources is refused', () => {
  const file = write('package.json', '{"name":"x"}');
  expect(() => load(file)).toThrow(
    `--from "${path.join(dir, file)}": expected a CloudFormation template, found no Resources`,
  );
});

test.each([
  ['no cluster', {}, 0],
  ['two clusters', { A: cluster, B: cluster }, 2],
])('a template with %s is refused, saying how many it has', (_label, resources, count) => {
  const file = write(`clusters-${count}.json`, JSON.stringify({ Resources: resources }));
  expect(() => load(file)).toThrow(
    `expected a CloudFormation template with one AWS::EKS::Cluster, found ${count}`,
  );
});

test('a ref that looks like an option is no ref', () => {
  expect(() => load('--help')).toThrow(/found neither a file nor a commit/);
});

test('a commit is synthesised offline into its template, and its worktree is gone afterwards', () => {
  // Only the paths: other checkouts of the repository may commit meanwhile.
  const worktrees = () =>
    execFileSync('git', ['worktree', 'list', '--porcelain'], { cwd: REPO_ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.startsWith('worktree '));
  const before = worktrees();
  const { label, template } = loadEarlierTemplate('70ff91b', {}, { cwd: dir });
  expect(label).toBe('70ff91b');
  const clusters = Object.values(template.Resources).filter((r) => r.Type === 'AWS::EKS::Cluster');
  expect(clusters.map((r) => r.Properties?.Version)).toEqual(['1.35']);
  expect(worktrees()).toEqual(before);
}, 120_000);
