import type { DeployedTemplate } from './deployed-stack';

/**
 * Every object the template's kubectl manifests apply. A manifest with a token in it is an
 * `Fn::Join`; its references become empty strings, which leaves the JSON whole, since a token
 * only ever stands inside a string.
 */
export function manifestObjectsOf(template: DeployedTemplate): unknown[] {
  const objects: unknown[] = [];
  for (const resource of Object.values(template.Resources ?? {})) {
    const manifest = resource.Properties?.Manifest;
    const text = typeof manifest === 'string' ? manifest : joinedLiterals(manifest);
    if (text === undefined) continue;
    try {
      objects.push(...[JSON.parse(text)].flat());
    } catch {
      // Not JSON, so not a kubectl manifest: it holds no objects.
    }
  }
  return objects;
}

function joinedLiterals(value: unknown): string | undefined {
  const join = (value as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (!Array.isArray(join) || !Array.isArray(join[1])) return undefined;
  return join[1].map((part) => (typeof part === 'string' ? part : '')).join(join[0]);
}
