/**
 * The upgrade from each version we support upgrading from to this one, as
 * `npm run rehearse -- --from <ref> --no-updates` runs it: the pinned template of that version
 * (test/fixtures/earlier-templates) created and converged, then this version deployed over it
 * with the same config, converged, destroyed. Both templates get the suite's BitcoinNetwork with
 * persistent storage, so that there are claims and volumes to keep. Each case is a file of its
 * own, `rehearsal-upgrade-<case>.test.ts`, on a plane of its own, so that jest's workers run the
 * cases side by side.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readTemplateFile } from '../../../tools/rehearsal/earlier-template';
import { BUDGETS_KEPT } from '../../../tools/rehearsal/disruption-sampler';
import { NOTHING_LOST } from '../../../tools/rehearsal/kept-objects';
import { EVERY_OBJECT_KEPT } from '../../../tools/rehearsal/kept-uids';
import { standInZone } from '../../../tools/rehearsal/node-group-updates';
import { pinnedTemplateFile } from '../../../tools/rehearsal/pinned-templates';
import { rehearse } from '../../../tools/rehearsal/rehearsal';
import { problems, RehearsalReport } from '../../../tools/rehearsal/report';
import { synthTemplate } from '../../../tools/rehearsal/template';
import { withStoredNetwork } from './rehearsal-fixtures';
import { phase, REHEARSAL_TIMEOUT_MS, SUITE_NODE_GROUP_TIMINGS } from './rehearsal-report';
import { withTestPlane } from '../../helpers/with-test-plane';

export interface UpgradeCase {
  readonly ref: string;
  readonly context: Readonly<Record<string, string>>;
  /** The claims renamed since: the one that keeps its name, and the one that moves. */
  readonly renamed?: { readonly kept: string; readonly moved: string };
}

/**
 * The commits we support upgrading from (test/fixtures/earlier-templates/README.md), at their
 * defaults, and 70ff91b with the claims that were renamed since: the throughput claim keeps its
 * deployed name (lib/kept-claim-names.ts), the static claim moves to a new name on the same EBS
 * volume. By the name of the file that rehearses each.
 */
export const UPGRADE_CASES: Readonly<Record<string, UpgradeCase>> = {
  '02041f1': { ref: '02041f1', context: {} },
  '70ff91b': { ref: '70ff91b', context: {} },
  '70ff91b-renamed-claims': {
    ref: '70ff91b',
    context: {
      throughputVolume: 'st1',
      staticVolumeId: 'vol-0123456789abcdef0',
      staticVolumeZone: standInZone(0),
    },
    renamed: {
      kept: 'PersistentVolumeClaim storage-demo/throughput-data',
      moved:
        'PersistentVolumeClaim storage-demo/static-data -> PersistentVolumeClaim storage-demo/static-vol-0123456789abcdef0',
    },
  },
};

/** The suite of one case of {@link UPGRADE_CASES}. */
export function describeUpgrade(name: string): void {
  const upgradeCase = UPGRADE_CASES[name];
  if (!upgradeCase) throw new Error(`no upgrade case "${name}" in UPGRADE_CASES`);
  const { ref, context, renamed } = upgradeCase;
  const pairs = Object.entries(context).map(([key, value]) => ` -c ${key}=${value}`);
  withTestPlane(`the upgrade from ${ref}${pairs.join('')}`, (plane) => {
    const upgrade = `upgrade from ${ref}`;
    let workDir: string;
    let report: RehearsalReport;
    beforeAll(async () => {
      workDir = fs.mkdtempSync(path.join(os.tmpdir(), `rehearsal-upgrade-${ref}-`));
      report = await rehearse({
        context,
        from: {
          label: ref,
          template: withStoredNetwork(readTemplateFile(pinnedTemplateFile(ref, context))),
        },
        updates: [],
        nodeGroupTimings: SUITE_NODE_GROUP_TIMINGS,
        template: (current, deployed) => withStoredNetwork(synthTemplate(current, deployed)),
        workDir,
        plane: plane(),
        log: () => undefined,
      });
    }, REHEARSAL_TIMEOUT_MS);
    afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

    test('every phase succeeded: each failed step or check is one line here', () => {
      expect(problems({ ...report, leftovers: [] })).toEqual([]);
    });

    test('the phases are the earlier version, the upgrade and destroy', () => {
      expect(
        report.phases.map((p) => p.name).filter((name) => !name.startsWith('rotation: ')),
      ).toEqual(['create', 'converge', upgrade, 'destroy']);
    });

    test('every claim, volume and BitcoinNetwork both versions keep has its uid after the upgrade', () => {
      const check = phase(report, upgrade).checks.find((c) => c.name === NOTHING_LOST);
      expect(check).toEqual({ name: NOTHING_LOST, ok: true, detail: expect.any(String) });
      if (renamed) {
        // Kept under its deployed name, so counted among those kept, never moved or replaced.
        expect(check?.detail).not.toContain(renamed.kept);
        expect(check?.detail).toContain(
          `moved to a new claim on the same EBS volume: ${renamed.moved} (vol-`,
        );
      }
    });

    test('every object both versions have is adopted, not made again: same uid', () => {
      const check = phase(report, upgrade).checks.find((c) => c.name === EVERY_OBJECT_KEPT);
      expect(check).toEqual({ name: EVERY_OBJECT_KEPT, ok: true, detail: expect.any(String) });
    });

    test('no PodDisruptionBudget is exceeded while the upgrade deploys', () => {
      const check = phase(report, upgrade).checks.find((c) => c.name === BUDGETS_KEPT);
      expect(check).toEqual({ name: BUDGETS_KEPT, ok: true, detail: expect.any(String) });
    });

    test('nothing outlives the cluster', () => {
      expect(report.leftovers).toEqual([]);
    });

    test("the report says the controller is today's code with each chart's arguments", () => {
      expect(report.notes).toEqual([expect.stringContaining(`${ref}'s until the upgrade`)]);
    });
  });
}
