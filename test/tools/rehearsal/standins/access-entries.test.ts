import type { ExecutorContext } from '../../../../tools/rehearsal/executors';
import { deploy, destroy, StackState } from '../../../../tools/rehearsal/lifecycle';
import {
  AccessEntries,
  CLUSTER_CREATOR,
  ENTRY_IN_USE,
} from '../../../../tools/rehearsal/standins/access-entries';
import type { CfnTemplate } from '../../../../tools/rehearsal/template';

const CLUSTER = 'bitcoin-platform';
const ALICE = 'arn:aws:iam::111111111111:role/Alice';
const BOB = 'arn:aws:iam::111111111111:role/Bob';

/** A stack of admin entries only, by logical ID: what the access-entry model decides. */
function templateOf(entries: Record<string, string>): CfnTemplate {
  return {
    Resources: Object.fromEntries(
      Object.entries(entries).map(([id, principal]) => [
        id,
        {
          Type: 'AWS::EKS::AccessEntry',
          Properties: { ClusterName: CLUSTER, PrincipalArn: principal },
        },
      ]),
    ),
  };
}

/** Only the access entries are real: no step of these templates reaches anything else. */
function contextWith(accessEntries: AccessEntries): ExecutorContext {
  return { accessEntries, handler: { clusterName: CLUSTER } } as unknown as ExecutorContext;
}

// Admin0 as 70ff91b named the first admin's entry; AdminAlice as the principal's name and hash do.
const OLD = templateOf({ EksClusterAdmin06BF8452E: ALICE });

describe('the access-entry model, over an upgrade', () => {
  let entries: AccessEntries;
  let state: StackState;
  beforeEach(async () => {
    entries = new AccessEntries();
    state = new StackState();
    const created = await deploy(state, OLD, 'create', contextWith(entries));
    expect(created.steps.map((s) => s.outcome)).toEqual(['succeeded']);
  });

  test('moving an entry to a new logical ID fails the deploy as EKS does, and Alice keeps her entry', async () => {
    const moved = templateOf({ EksClusterAdminAlice5E1F0A2BC0D1E2F3: ALICE });
    const phase = await deploy(state, moved, 'upgrade', contextWith(entries));
    expect(phase.steps).toEqual([
      expect.objectContaining({
        logicalId: 'EksClusterAdminAlice5E1F0A2BC0D1E2F3',
        event: 'Create',
        outcome: 'failed',
        error: `${ALICE}: ${ENTRY_IN_USE}`,
      }),
    ]);
    expect(entries.principals(CLUSTER)).toEqual([ALICE]);
  });

  test("the rollback's Delete of the refused entry leaves Alice's entry", async () => {
    await deploy(
      state,
      templateOf({ EksClusterAdminAlice5E1F0A2BC0D1E2F3: ALICE }),
      'upgrade',
      contextWith(entries),
    );
    const rollback = await deploy(state, OLD, 'rollback', contextWith(entries));
    expect(rollback.steps.map((s) => [s.logicalId, s.event, s.outcome])).toEqual([
      ['EksClusterAdmin06BF8452E', 'Update', 'unchanged'],
      ['EksClusterAdminAlice5E1F0A2BC0D1E2F3', 'Delete', 'succeeded'],
    ]);
    expect(entries.principals(CLUSTER)).toEqual([ALICE]);
  });

  test('keeping the deployed logical ID and adding Bob at a new one succeeds, with both admins', async () => {
    const kept = templateOf({ EksClusterAdmin06BF8452E: ALICE, EksClusterAdminBob0A1B2C3D: BOB });
    const phase = await deploy(state, kept, 'upgrade', contextWith(entries));
    expect(phase.steps.map((s) => [s.logicalId, s.event, s.outcome])).toEqual([
      ['EksClusterAdmin06BF8452E', 'Update', 'unchanged'],
      ['EksClusterAdminBob0A1B2C3D', 'Create', 'succeeded'],
    ]);
    expect(entries.principals(CLUSTER).sort()).toEqual([ALICE, BOB]);
  });

  test('a Delete frees the principal: removing the entry, then adding it at a new ID, succeeds', async () => {
    await deploy(state, templateOf({}), 'remove', contextWith(entries));
    expect(entries.principals(CLUSTER)).toEqual([]);
    const readded = templateOf({ EksClusterAdminAlice5E1F0A2BC0D1E2F3: ALICE });
    const phase = await deploy(state, readded, 'add', contextWith(entries));
    expect(phase.steps.map((s) => s.outcome)).toEqual(['succeeded']);
  });

  test('destroy frees every entry', async () => {
    await destroy(state, 'destroy', contextWith(entries));
    expect(entries.principals(CLUSTER)).toEqual([]);
  });
});

test("a new cluster holds its creator's entry, so an admin entry for CloudFormation's role is refused", () => {
  const entries = new AccessEntries();
  entries.createCluster(CLUSTER);
  expect(entries.create(CLUSTER, CLUSTER_CREATOR, 'EksClusterAdminCfnExec')).toBe(
    `${CLUSTER_CREATOR}: ${ENTRY_IN_USE}`,
  );
  expect(entries.create(CLUSTER, ALICE, 'EksClusterAdminAlice')).toBeUndefined();
});
