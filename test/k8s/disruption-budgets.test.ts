/**
 * Everything we run can be drained: a managed node group update and the Cluster Autoscaler evict
 * pods through the Eviction API, which honours PodDisruptionBudgets. Every Deployment and
 * StatefulSet of every chart has exactly one budget, and that budget lets a drain evict at least
 * one of its pods (none is unsatisfiable) while keeping the others.
 */
import { synthTarget } from '../../k8s/synth';
import { allowedDisruptions } from '../helpers/disruption';
import { EVERYTHING, K8sObject, TARGETS, config, selects } from '../helpers/k8s';

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet'];

function objectsOf(target: (typeof TARGETS)[number], overrides: Record<string, unknown>) {
  return synthTarget(target, config(overrides)).flatMap((c) => c.objects as K8sObject[]);
}

/** The replica counts a workload runs at: its own, or its HPA's range. */
function replicaCounts(workload: K8sObject, objects: readonly K8sObject[]): number[] {
  const hpa = objects.find(
    (o) =>
      o.kind === 'HorizontalPodAutoscaler' &&
      o.metadata.namespace === workload.metadata.namespace &&
      o.spec.scaleTargetRef.name === workload.metadata.name,
  );
  return hpa ? [hpa.spec.minReplicas ?? 1, hpa.spec.maxReplicas] : [workload.spec.replicas ?? 1];
}

/** The workloads whose pods `budget` counts. */
function selectedBy(budget: K8sObject, workloads: readonly K8sObject[]): K8sObject[] {
  return workloads.filter(
    (w) =>
      w.metadata.namespace === budget.metadata.namespace &&
      selects(budget.spec.selector.matchLabels, w.spec.template.metadata.labels),
  );
}

describe.each(TARGETS)('%s target', (target) => {
  describe.each([
    ['defaults', {}],
    ['every opt-in', EVERYTHING],
    ['one web replica', { webReplicas: 1 }],
  ])('with %s', (_variant, overrides) => {
    const objects = objectsOf(target, overrides);
    const workloads = objects.filter((o) => WORKLOAD_KINDS.includes(o.kind));
    const budgets = objects.filter((o) => o.kind === 'PodDisruptionBudget');

    test.each(workloads.map((w) => [`${w.kind} ${w.metadata.namespace}/${w.metadata.name}`, w]))(
      '%s has one budget, which a drain can satisfy',
      (_name, workload) => {
        const mine = budgets.filter((b) => selectedBy(b, [workload as K8sObject]).length > 0);
        expect(mine).toHaveLength(1);
        // A budget counts every pod it selects: those of the other workloads it spans too.
        const others = selectedBy(mine[0], workloads)
          .filter((w) => w !== workload)
          .map((w) => replicaCounts(w, objects)[0]);
        for (const replicas of replicaCounts(workload as K8sObject, objects)) {
          const pods = replicas + others.reduce((sum, n) => sum + n, 0);
          const allowed = allowedDisruptions(mine[0].spec, pods);
          expect([replicas, allowed >= 1]).toEqual([replicas, true]);
          // One at a time: the others keep serving when there are others. A budget that spans
          // single-replica workloads lets each one's pod go.
          const most = replicas > 1 ? 1 : others.length + 1;
          expect([replicas, allowed <= most]).toEqual([replicas, true]);
        }
        // A crash-looping or unready pod never holds a drain up.
        expect(mine[0].spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
      },
    );

    test('every budget selects workloads of ours', () => {
      for (const budget of budgets) {
        const selected = selectedBy(budget, workloads);
        expect([budget.metadata.name, selected.length > 0]).toEqual([budget.metadata.name, true]);
      }
    });
  });
});
