/** docs/configuration.md, rendered from the schema so that it cannot drift from the code. */
import { describeEffect } from './change-effects';
import { CONFIG_SCHEMA, Setting, crossKeyRulesOf } from './schema';

/** Where the rendered page lives, relative to the repository root. */
export const CONFIG_DOC_PATH = 'docs/configuration.md';
/** The command that rewrites it. */
export const WRITE_CONFIG_DOC_COMMAND = 'npm run docs:config';

const HEADINGS = [
  'key',
  'type',
  'default',
  'allowed',
  'description',
  'a change on a deployed stack',
];
const SECTION_TITLES: Readonly<Record<string, string>> = {
  infra: 'Infrastructure: VPC, cluster, nodes and access (`lib/`)',
  platform: 'Platform charts: web workloads and storage (`k8s/`)',
  operator: 'Operator: controller image, namespaces and sample network (`k8s/`)',
};

/** The page, laid out as prettier lays out markdown so that `prettier --check` passes. */
export function renderConfigDoc(): string {
  const sections = Object.entries(CONFIG_SCHEMA).flatMap(([section, settings]) => {
    const rows = Object.entries<Setting<unknown>>(settings).map(([key, spec]) => [
      code(key),
      spec.type.kind,
      spec.default === undefined
        ? (spec.unsetMeans ?? 'unset')
        : code(JSON.stringify(spec.default)),
      [
        spec.type.rule,
        ...crossKeyRulesOf(section)
          .filter((r) => r.key === key)
          .map((r) => r.rule),
      ].join('; '),
      spec.description,
      describeEffect(spec.onChange),
    ]);
    return [`## ${SECTION_TITLES[section]}`, '', table([HEADINGS, ...rows]), ''];
  });
  return [
    '# Configuration',
    '',
    `<!-- Generated from config/schema.ts by \`${WRITE_CONFIG_DOC_COMMAND}\`; do not edit. -->`,
    '',
    'Every key is read from the `context` of `cdk.json` and can be overridden per command with',
    '`-c key=value`, for `cdk synth` and `npm run synth:k8s` alike. On the command line every value',
    'is text: numbers and `true`/`false` are read from their spelling, lists as comma-separated',
    'text. All keys are checked before anything is synthesised; a bad value stops synth with one',
    'line naming the key, the value and what is allowed, for example',
    '`Invalid config "nodeMinSize": got 5; expected at most nodeDesiredSize (2).`',
    '',
    'The last column says what changing a key on a deployed stack does to its AWS resources, as',
    "CloudFormation's resource schemas decide it (a test synthesises each change and checks it): in",
    'place, with interruption (updated in place, but what runs is disrupted), or replacement (new',
    'resources are created and the old ones deleted). A change that would replace or delete the',
    'VPC, a subnet or the EKS cluster is refused at deploy, before anything is replaced: the old',
    "cluster's load balancers, security groups and volumes would be left behind, still billed",
    '([decisions.md](decisions.md#no-change-replaces-the-cluster-its-vpc-or-its-subnets)). To',
    'make such a change, destroy the stack first. Platform and operator keys change only',
    'Kubernetes objects (what Kubernetes itself refuses to change in place is in',
    '[platform.md](platform.md)).',
    '',
    ...sections,
  ].join('\n');
}

function code(text: string): string {
  return `\`${text}\``;
}

/** A markdown table with padded columns, as prettier prints it. */
function table(rows: readonly string[][]): string {
  const cells = rows.map((row) => row.map((cell) => cell.replace(/\|/g, '\\|')));
  const widths = cells[0].map((_, i) => Math.max(3, ...cells.map((row) => row[i].length)));
  const line = (row: readonly string[]) =>
    `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  const rule = `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`;
  return [line(cells[0]), rule, ...cells.slice(1).map(line)].join('\n');
}
