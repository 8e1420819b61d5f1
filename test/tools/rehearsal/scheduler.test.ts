import { buildGraph } from '../../../tools/rehearsal/graph';
import { runSchedule, StepOutcome, waitsForIn } from '../../../tools/rehearsal/scheduler';
import type { RequestType } from '../../../tools/rehearsal/events';

// Cluster <- Namespaces <- Storage; Cluster <- Helm; Addon stands alone.
const graph = buildGraph({
  Cluster: { Type: 'AWS::EKS::Cluster' },
  Namespaces: {
    Type: 'Custom::AWSCDK-EKS-KubernetesResource',
    Properties: { C: { Ref: 'Cluster' } },
  },
  Storage: { Type: 'Custom::AWSCDK-EKS-KubernetesResource', DependsOn: ['Namespaces'] },
  Helm: { Type: 'Custom::AWSCDK-EKS-HelmChart', Properties: { C: { Ref: 'Cluster' } } },
  Addon: { Type: 'AWS::EKS::Addon' },
});

/** A fake executor that records when each resource starts and ends, taking `ms` each. */
function recorder(ms: Record<string, number>, failing: string[] = []) {
  const log: string[] = [];
  const run = async (id: string): Promise<StepOutcome> => {
    log.push(`start ${id}`);
    await new Promise((r) => setTimeout(r, ms[id] ?? 5));
    log.push(`end ${id}`);
    return failing.includes(id) ? { error: `${id} broke`, kubernetes: true } : { kubernetes: true };
  };
  return { log, run };
}

const schedule = (event: RequestType, run: (id: string) => Promise<StepOutcome>) => ({
  eventOf: () => event,
  ids: event === 'Delete' ? graph.deletionOrder() : graph.creationOrder(),
  typeOf: () => 'Custom::Test',
  waitsFor: waitsForIn(graph, event),
  run,
});

describe('runSchedule', () => {
  test('independent resources start together; a dependant starts only after what it waits for ended', async () => {
    const { log, run } = recorder({ Cluster: 20, Addon: 20 });
    await runSchedule(schedule('Create', run));
    // Cluster and Addon have no path between them: both start before either ends.
    expect(log.slice(0, 2).sort()).toEqual(['start Addon', 'start Cluster']);
    expect(log.indexOf('start Namespaces')).toBeGreaterThan(log.indexOf('end Cluster'));
    expect(log.indexOf('start Helm')).toBeGreaterThan(log.indexOf('end Cluster'));
    expect(log.indexOf('start Storage')).toBeGreaterThan(log.indexOf('end Namespaces'));
  });

  test('every resource gets a record with its measured seconds and outcome', async () => {
    const { run } = recorder({ Helm: 50 });
    const records = await runSchedule(schedule('Create', run));
    expect(records.map((r) => r.logicalId).sort()).toEqual([
      'Addon',
      'Cluster',
      'Helm',
      'Namespaces',
      'Storage',
    ]);
    expect(records.every((r) => r.outcome === 'succeeded' && r.event === 'Create')).toBe(true);
    expect(records.find((r) => r.logicalId === 'Helm')!.seconds).toBeGreaterThanOrEqual(0.04);
  });

  test('the first failure stops new starts; what was running finishes; the rest is not started', async () => {
    const { log, run } = recorder({ Helm: 40 }, ['Namespaces']);
    const records = await runSchedule(schedule('Create', run));
    const outcome = (id: string) => records.find((r) => r.logicalId === id)!.outcome;
    expect(outcome('Namespaces')).toBe('failed');
    expect(records.find((r) => r.logicalId === 'Namespaces')!.error).toBe('Namespaces broke');
    expect(outcome('Helm')).toBe('succeeded');
    expect(log).toContain('end Helm');
    expect(outcome('Storage')).toBe('not started');
    expect(log).not.toContain('start Storage');
  });

  test('an executor that throws is a failed step with its message', async () => {
    const records = await runSchedule(
      schedule('Create', async (id) => {
        if (id === 'Cluster') throw new Error('no such cluster');
        return { kubernetes: false };
      }),
    );
    expect(records.find((r) => r.logicalId === 'Cluster')).toMatchObject({
      outcome: 'failed',
      error: 'no such cluster',
    });
  });

  test('deletion runs in reverse: a resource is deleted only after everything that depends on it', async () => {
    const { log, run } = recorder({});
    await runSchedule(schedule('Delete', run));
    expect(log.indexOf('start Namespaces')).toBeGreaterThan(log.indexOf('end Storage'));
    expect(log.indexOf('start Cluster')).toBeGreaterThan(log.indexOf('end Namespaces'));
    expect(log.indexOf('start Cluster')).toBeGreaterThan(log.indexOf('end Helm'));
  });
});
