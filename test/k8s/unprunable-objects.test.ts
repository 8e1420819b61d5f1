import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { synthTarget } from '../../k8s/synth';
import { EVERYTHING, config } from '../helpers/k8s';
import { DEFAULT_PRUNE_KINDS } from '../helpers/update-safety';

// `cdk deploy` updates a manifest with `kubectl apply --prune`, which deletes only the kinds of
// kubectl's default allow-list. A NetworkPolicy, StorageClass, HPA, PDB, RBAC object, CRD or
// custom resource that a new version of a chart stops rendering stays in every cluster it was
// deployed to. This list pins them, outside jest's snapshots so `jest -u` cannot drop one by
// accident. Retiring one needs a migration (delete it from live clusters, say so in the release
// notes); then rewrite the list with UPDATE_UNPRUNABLE_OBJECTS=1.
const PINNED = join(__dirname, 'unprunable-objects.json');

/** `Kind namespace/name` of every object `kubectl apply --prune` would leave behind, by chart. */
function unprunable(): Record<string, string[]> {
  return Object.fromEntries(
    synthTarget('eks', config(EVERYTHING)).map((chart) => [
      chart.name,
      chart.objects
        .map((o) => o as { kind: string; metadata: { name: string; namespace?: string } })
        .filter((o) => !DEFAULT_PRUNE_KINDS.has(o.kind))
        .map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`)
        .sort(),
    ]),
  );
}

const actual = unprunable();
if (process.env.UPDATE_UNPRUNABLE_OBJECTS === '1') {
  writeFileSync(PINNED, `${JSON.stringify(actual, null, 2)}\n`);
}
const pinned: Record<string, string[]> = JSON.parse(readFileSync(PINNED, 'utf8'));

describe('objects kubectl apply --prune cannot remove', () => {
  test.each(Object.keys(pinned))('are never dropped from the %s chart', (chart) => {
    const dropped = pinned[chart].filter((id) => !(actual[chart] ?? []).includes(id));
    expect(dropped).toEqual([]);
  });

  test('are all pinned, so that none can be dropped later unnoticed', () => {
    const unpinned = Object.entries(actual).flatMap(([chart, ids]) =>
      ids.filter((id) => !(pinned[chart] ?? []).includes(id)).map((id) => `${chart}: ${id}`),
    );
    expect(unpinned).toEqual([]);
  });
});
