import { existsSync, readFileSync, writeFileSync } from 'fs';

/**
 * Sets `key` to `value` in a CDK context file (cdk.context.json), keeping every other key, as the
 * CDK CLI does when it records a look-up. Read just before writing: the CLI rewrites the file
 * itself after its own look-ups and then runs the app again, which records the value again.
 */
export function recordContextValue(file: string, key: string, value: unknown): void {
  const context: Record<string, unknown> = existsSync(file)
    ? JSON.parse(readFileSync(file, 'utf8'))
    : {};
  context[key] = value;
  writeFileSync(file, `${JSON.stringify(context, undefined, 2)}\n`);
}
