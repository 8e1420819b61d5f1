import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';

// The public face of the infrastructure and of the BitcoinNetwork API is read from its doc
// comments, as aws-eks-v2's is. These rules keep every exported construct and prop documented,
// and every optional prop saying what happens without it. Parsing alone is enough: whether a
// declaration is exported, optional or commented is written in its syntax.
const DOCUMENTED_FOLDERS = ['lib', 'controller/api'];

const ROOT = join(__dirname, '../..');

/** The `.ts` files under `folder`, relative to the repository's root. */
function sourcesUnder(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(folder, file))
    .sort();
}

/** The summary and the `@default` text of the doc comment nearest to `node`, if it has one. */
function docOf(node: ts.Node): { summary: string; defaultValue?: string } | undefined {
  const doc = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc).at(-1);
  if (!doc) return undefined;
  const tag = doc.tags?.find((t) => t.tagName.text === 'default');
  return {
    summary: ts.getTextOfJSDocComment(doc.comment)?.trim() ?? '',
    defaultValue: tag && (ts.getTextOfJSDocComment(tag.comment)?.trim() ?? ''),
  };
}

const isExported = (node: ts.Node): boolean =>
  ts.canHaveModifiers(node) &&
  (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

const isOptional = (node: ts.Node): boolean =>
  'questionToken' in node && node.questionToken !== undefined;

/** Class members a reader of the class's API does not see, or reads on the base class. */
const NOT_PUBLIC_API = [
  ts.SyntaxKind.PrivateKeyword,
  ts.SyntaxKind.ProtectedKeyword,
  ts.SyntaxKind.OverrideKeyword,
];

const hasModifierIn = (node: ts.Node, kinds: ts.SyntaxKind[]): boolean =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => kinds.includes(m.kind));

/**
 * What is undocumented in one source file, a line each: exported classes and their public
 * members, and the members of exported interfaces and type aliases (type literals nested in them
 * included), each optional one with its `@default`. An `override` says what its base class says.
 */
function missingDocs(path: string, text: string): string[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const check = (node: ts.Node, name: string, optional: boolean) => {
    const where = `${path}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const doc = docOf(node);
    if (!doc?.summary) found.push(`${where} ${name} is not documented`);
    if (optional && !doc?.defaultValue)
      found.push(`${where} ${name} is optional but has no @default`);
  };
  // Members of type literals anywhere in an exported type: unions of shapes, nested props.
  const checkMembers = (node: ts.Node, owner: string): void => {
    if (ts.isInterfaceDeclaration(node) || ts.isTypeLiteralNode(node)) {
      for (const member of node.members) {
        const name = `${owner}.${member.name?.getText(file) ?? '[signature]'}`;
        check(member, name, isOptional(member));
        ts.forEachChild(member, (child) => checkMembers(child, name));
      }
      return;
    }
    // `T extends { cached: string }` matches a shape; it declares none.
    if (ts.isConditionalTypeNode(node)) {
      checkMembers(node.trueType, owner);
      checkMembers(node.falseType, owner);
      return;
    }
    ts.forEachChild(node, (child) => checkMembers(child, owner));
  };

  for (const statement of file.statements) {
    if (!isExported(statement)) continue;
    if (ts.isInterfaceDeclaration(statement)) checkMembers(statement, statement.name.text);
    if (ts.isTypeAliasDeclaration(statement)) checkMembers(statement.type, statement.name.text);
    if (ts.isClassDeclaration(statement)) {
      const className = statement.name?.text ?? 'default';
      check(statement, className, false);
      for (const member of statement.members) {
        // Constructors, static blocks and index signatures have no name.
        if (!member.name || ts.isPrivateIdentifier(member.name)) continue;
        if (hasModifierIn(member, NOT_PUBLIC_API)) continue;
        check(member, `${className}.${member.name.getText(file)}`, isOptional(member));
      }
    }
  }
  return found;
}

describe('doc comments', () => {
  test('every exported construct and prop in lib/ and controller/api/ is documented', () => {
    const files = DOCUMENTED_FOLDERS.flatMap(sourcesUnder);
    expect(files).toContain('lib/platform-stack.ts');
    expect(files).toContain('controller/api/network.ts');
    const found = files.flatMap((path) =>
      missingDocs(path, readFileSync(join(ROOT, path), 'utf8')),
    );
    expect(found).toEqual([]);
  });

  // Each case: what it is, its source a line each, and what the rules report on it.
  test.each<[string, string[], string[]]>([
    [
      'an exported class without a comment',
      ['export class Thing {}'],
      ['x.ts:1 Thing is not documented'],
    ],
    [
      "an exported class's public property without a comment",
      ['/** A thing. */', 'export class Thing {', '  readonly part = 1;', '}'],
      ['x.ts:3 Thing.part is not documented'],
    ],
    [
      'a member of an exported interface without a comment',
      ['export interface Props {', '  readonly size: number;', '}'],
      ['x.ts:2 Props.size is not documented'],
    ],
    [
      'a member whose comment has tags but says nothing',
      ['export interface Props {', '  /** @default 3 */', '  readonly size?: number;', '}'],
      ['x.ts:3 Props.size is not documented'],
    ],
    [
      'an optional member without @default',
      ['export interface Props {', '  /** How many. */', '  readonly size?: number;', '}'],
      ['x.ts:3 Props.size is optional but has no @default'],
    ],
    [
      'an optional member whose @default is empty',
      [
        'export interface Props {',
        '  /**',
        '   * How many.',
        '   * @default',
        '   */',
        '  readonly size?: number;',
        '}',
      ],
      ['x.ts:6 Props.size is optional but has no @default'],
    ],
    [
      'a member of a shape in an exported union type',
      [
        'export type Outcome =',
        '  | {',
        '      /** Done. */',
        '      ok: true;',
        '    }',
        '  | { reason?: string };',
      ],
      [
        'x.ts:6 Outcome.reason is not documented',
        'x.ts:6 Outcome.reason is optional but has no @default',
      ],
    ],
    [
      'a member of a shape nested in a prop',
      [
        'export interface Props {',
        '  /** Where. */',
        '  readonly tag: { readonly key: string };',
        '}',
      ],
      ['x.ts:3 Props.tag.key is not documented'],
    ],
  ])('finds %s', (_case, lines, expected) => {
    expect(missingDocs('x.ts', lines.join('\n'))).toEqual(expected);
  });

  test('passes over hidden members, overrides, unexported declarations and matched shapes', () => {
    const source = [
      'interface Internal { size: number }',
      'class Hidden { part = 1 }',
      '/** A thing. */',
      'export class Thing extends Base {',
      '  constructor() { super(); }',
      '  private secret = 1;',
      '  protected inherited = 2;',
      '  #hash = 3;',
      '  override validate(): void {}',
      '}',
      'export interface Props {',
      '  /**',
      '   * How many.',
      '   * @default - as many as there are',
      '   */',
      '  readonly size?: number;',
      '}',
      'export type Cached = { [K in Kind]: T[K] extends { cached: string } ? K : never }[Kind];',
    ].join('\n');
    expect(missingDocs('x.ts', source)).toEqual([]);
  });
});
