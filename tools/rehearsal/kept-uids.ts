/**
 * Whether an upgrade kept every object: each one both templates' manifests have is the same
 * object afterwards (same uid), not deleted and made again. What only the earlier template had
 * was dropped on purpose and is listed, not failed.
 */
import type { Check } from './report';

export const EVERY_OBJECT_KEPT = 'every object both templates have keeps its uid';

export interface UidComparison {
  /** uid by object key (`group/Kind namespace/name`), before and after the upgrade. */
  readonly before: ReadonlyMap<string, string>;
  readonly after: ReadonlyMap<string, string>;
  /** The object keys of each template's manifests. */
  readonly earlier: ReadonlySet<string>;
  readonly current: ReadonlySet<string>;
}

export function everyObjectKept({ before, after, earlier, current }: UidComparison): Check {
  const both = [...earlier].filter((key) => current.has(key) && before.has(key)).sort();
  const broken = both
    .filter((key) => after.get(key) !== before.get(key))
    .map((key) => `${key} ${after.has(key) ? 'recreated' : 'deleted'}`);
  const dropped = [...earlier].filter((key) => !current.has(key)).sort();
  const summary = `${both.length - broken.length} of ${both.length} kept; dropped by the chart: ${dropped.join(', ') || 'none'}`;
  return {
    name: EVERY_OBJECT_KEPT,
    ok: broken.length === 0,
    detail: broken.length > 0 ? `${broken.join(', ')}; ${summary}` : summary,
  };
}
