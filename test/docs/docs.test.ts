import * as fs from 'node:fs';
import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { ControllerMetrics } from '../../controller/runtime/health';
import { awsLoadBalancerController } from '../../tools/rehearsal/standins/charts/aws-load-balancer-controller';
import { synthPlatform } from '../helpers/synth';

const ROOT = path.join(__dirname, '..', '..');
const README = path.join(ROOT, 'README.md');
const DOCS = path.join(ROOT, 'docs');
const OPERATOR_DOC = path.join(DOCS, 'operator.md');
const README_MAX_LINES = 200;

const read = (file: string): string => fs.readFileSync(file, 'utf8');

/** Markdown without its fenced code blocks: a heading or link inside one is only text. */
function withoutFences(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** Markdown without code of any kind, where links are found. */
function prose(markdown: string): string {
  return withoutFences(markdown).replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors a file's headings get, with GitHub's `-1`, `-2` suffixes for repeated ones. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, text] of withoutFences(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(text.replace(/`/g, ''));
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/**
 * Relative links of a Markdown file that do not resolve: a missing file, or a `#anchor` that no
 * heading of the target makes. Absolute URLs are not checked (no network here).
 */
function brokenLinks(file: string, markdown: string, readFile = read): string[] {
  const broken: string[] = [];
  for (const [, target] of prose(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const [linkPath, anchor] = target.split('#', 2);
    const resolved = linkPath ? path.resolve(path.dirname(file), linkPath) : file;
    if (!fs.existsSync(resolved)) {
      broken.push(`${target}: no file ${path.relative(ROOT, resolved)}`);
    } else if (anchor && resolved.endsWith('.md') && !anchorsOf(readFile(resolved)).has(anchor)) {
      broken.push(`${target}: no heading makes #${anchor}`);
    }
  }
  return broken;
}

const docFiles = (): string[] => [
  README,
  ...fs
    .readdirSync(DOCS)
    .filter((name) => name.endsWith('.md'))
    .map((name) => path.join(DOCS, name)),
];

describe('the README', () => {
  test(`is at most ${README_MAX_LINES} lines`, () => {
    const lines = read(README).split('\n').length - (read(README).endsWith('\n') ? 1 : 0);
    expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
  });
});

describe("the README's Deploy and destroy section", () => {
  const section = /^## Deploy and destroy\n[\s\S]*?(?=^## )/m.exec(read(README))?.[0] ?? '';

  test('states the waiting period after which destroy deletes the Secrets KMS key', () => {
    // Read from the template, so that a change of the key's window fails here until the README follows.
    const keys = synthPlatform().findResources('AWS::KMS::Key', {
      Properties: { Description: Match.stringLikeRegexp('Kubernetes Secrets') },
    });
    expect(Object.keys(keys)).toHaveLength(1);
    const [key] = Object.values(keys);
    expect(key.DeletionPolicy).toBe('Delete');
    expect(section).toContain(`deletion after ${key.Properties.PendingWindowInDays} days`);
  });
});

describe("what the docs and comments say about the Load Balancer Controller's webhooks", () => {
  // The stand-in chart carries the real chart's (3.2.2) default failure policies.
  const values = awsLoadBalancerController('').values as {
    podMutatorWebhookConfig: { failurePolicy: string };
    webhookConfig: { ingressValdationFailurePolicy: string };
  };
  const sources = ['docs/platform.md', 'k8s/platform.ts', 'lib/addons/load-balancer-admission.ts'];

  test('docs/platform.md names the failure policy of the pod and the Ingress webhook as the chart sets them', () => {
    const platform = read(path.join(DOCS, 'platform.md'));
    expect(platform).toContain(
      `pod webhook has \`failurePolicy: ${values.podMutatorWebhookConfig.failurePolicy}\``,
    );
    expect(platform).toContain(
      `Ingress webhook has \`failurePolicy: ${values.webhookConfig.ingressValdationFailurePolicy}\``,
    );
  });

  test.each(sources)('%s does not say that pods are refused or rejected', (file) => {
    expect(values.podMutatorWebhookConfig.failurePolicy).toBe('Ignore');
    const sentences = read(path.join(ROOT, file))
      .replace(/\s+/g, ' ')
      .split(/(?<=[.:;])\s/);
    expect(sentences.filter((s) => /\b(refuse|reject)/i.test(s) && /\bpods?\b/.test(s))).toEqual(
      [],
    );
  });
});

describe('docs/operator.md', () => {
  // The names come from the controller's own registry, so a new metric cannot go undocumented.
  const registered = new ControllerMetrics(() => 0).registry
    .getMetricsAsArray()
    .map((metric) => metric.name);

  test('the controller registers metrics (so the check below is not vacuous)', () => {
    expect(registered.length).toBeGreaterThan(0);
  });

  test('documents every metric the controller registers', () => {
    const doc = read(OPERATOR_DOC);
    expect(registered.filter((name) => !doc.includes(`\`${name}\``))).toEqual([]);
  });
});

describe('relative links in README.md and docs/', () => {
  test.each(docFiles().map((file) => [path.relative(ROOT, file), file]))(
    '%s: every one resolves to a file, and its anchor to a heading',
    (_name, file) => {
      expect(brokenLinks(file, read(file))).toEqual([]);
    },
  );

  test('the checker reports a missing file and a missing anchor, and ignores code', () => {
    const page = [
      '# A page',
      '## Its `second` heading',
      '[ok](#a-page) [ok](#its-second-heading) [ok](README.md) [ok](https://example.com/x)',
      '[gone](no-such-file.md) [bad anchor](#nowhere) `[code](not-checked.md)`',
      '```',
      '[fenced](not-checked-either.md)',
      '```',
    ].join('\n');
    const readPage = (file: string) => (file === README ? page : read(file));
    expect(brokenLinks(README, page, readPage)).toEqual([
      'no-such-file.md: no file no-such-file.md',
      '#nowhere: no heading makes #nowhere',
    ]);
  });

  test('anchors follow GitHub: punctuation dropped, repeated headings numbered', () => {
    expect([...anchorsOf("# How the controller's memory came down\n## Run\n## Run\n")]).toEqual([
      'how-the-controllers-memory-came-down',
      'run',
      'run-1',
    ]);
  });
});
