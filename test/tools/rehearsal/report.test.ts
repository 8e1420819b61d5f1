import {
  criticalPath,
  exitCode,
  problems,
  renderReport,
  StepRecord,
} from '../../../tools/rehearsal/report';

const step = (logicalId: string, seconds: number, extra: Partial<StepRecord> = {}): StepRecord => ({
  logicalId,
  resourceType: 'Custom::AWSCDK-EKS-KubernetesResource',
  event: 'Create',
  startedAt: 0,
  seconds,
  outcome: 'succeeded',
  kubernetes: true,
  ...extra,
});

// Cluster (AWS, instant) <- Namespaces <- Storage <- Workloads; Helm waits for Cluster only.
const waits: Record<string, string[]> = {
  Cluster: [],
  Namespaces: ['Cluster'],
  Storage: ['Namespaces'],
  Workloads: ['Storage'],
  Helm: ['Cluster'],
};
const phase = (
  steps: StepRecord[],
  checks = [{ name: 'all Deployments Available', ok: true }],
) => ({
  name: 'create',
  steps,
  checks,
  waitsFor: (id: string) => waits[id],
});

describe('criticalPath', () => {
  test('is the chain with the largest total time, through instant AWS steps', () => {
    const steps = [
      step('Cluster', 0, { resourceType: 'AWS::EKS::Cluster', kubernetes: false }),
      step('Namespaces', 2),
      step('Storage', 1),
      step('Workloads', 4),
      step('Helm', 6),
    ];
    expect(criticalPath(phase(steps))).toEqual({
      chain: ['Namespaces', 'Storage', 'Workloads'],
      seconds: 7,
    });
  });

  test('follows the measured times, not the number of steps', () => {
    const steps = [
      step('Cluster', 0, { kubernetes: false }),
      step('Namespaces', 1),
      step('Storage', 1),
      step('Workloads', 1),
      step('Helm', 9),
    ];
    expect(criticalPath(phase(steps))).toEqual({ chain: ['Helm'], seconds: 9 });
  });
});

describe('the report', () => {
  test('a failed step is a problem with its own first message line, and the exit code is 1', () => {
    const failed = step('Storage', 1, {
      outcome: 'failed',
      error: '\nError from server (AlreadyExists): x\nmore',
    });
    const report = {
      phases: [phase([step('Namespaces', 1), failed])],
      leftovers: [],
      notes: [],
      wentWithCluster: [],
    };
    expect(problems(report)).toEqual([
      'create: Create Storage (Custom::AWSCDK-EKS-KubernetesResource) failed: Error from server (AlreadyExists): x',
    ]);
    expect(exitCode(report)).toBe(1);
  });

  test('failed checks and leftovers are problems too; none means exit code 0', () => {
    const checks = [{ name: 'sample network Ready', ok: false, detail: '2 of 3 nodes' }];
    const bad = {
      phases: [phase([], checks)],
      leftovers: ['StorageClass/gp3'],
      notes: [],
      wentWithCluster: [],
    };
    expect(problems(bad)).toEqual([
      'create: check failed: sample network Ready: 2 of 3 nodes',
      'leftover after destroy: StorageClass/gp3',
    ]);
    expect(
      exitCode({
        phases: [phase([step('Namespaces', 1)])],
        leftovers: [],
        notes: [],
        wentWithCluster: [],
      }),
    ).toBe(0);
  });

  test('renders one row per step with seconds and outcome, and the critical path', () => {
    const text = renderReport({
      phases: [phase([step('Namespaces', 1.25), step('Storage', 2)])],
      leftovers: [],
      notes: [],
      wentWithCluster: [],
    });
    expect(text).toMatch(
      /^Namespaces\s+Custom::AWSCDK-EKS-KubernetesResource\s+Create\s+1\.3\s+succeeded$/m,
    );
    expect(text).toContain('critical path: 2 steps, 3.3 s: Namespaces -> Storage');
    expect(text).toMatch(/rehearsal passed\n$/);
  });

  test('notes lead the report; what went with the cluster is listed under its heading and is no problem', () => {
    const report = {
      notes: ["the controller is today's code"],
      phases: [phase([step('Namespaces', 1)])],
      wentWithCluster: ['storage.k8s.io/StorageClass cold'],
      leftovers: [],
    };
    const text = renderReport(report);
    expect(text).toMatch(/^note: the controller is today's code\n== create\n/);
    expect(text).toContain(
      '== went with the cluster (on EKS, deleting it deletes them)\nstorage.k8s.io/StorageClass cold\nrehearsal passed\n',
    );
    expect(exitCode(report)).toBe(0);
  });

  test('instant AWS steps and unchanged resources are left out of the table but counted', () => {
    const text = renderReport({
      phases: [
        phase([
          step('Cluster', 0, { kubernetes: false }),
          step('Storage', 0, { outcome: 'unchanged' }),
          step('Namespaces', 1),
        ]),
      ],
      leftovers: [],
      notes: [],
      wentWithCluster: [],
    });
    expect(text).not.toMatch(/^(Cluster|Storage)\s/m);
    expect(text).toContain('(2 instant AWS or unchanged resources not shown)');
  });
});
