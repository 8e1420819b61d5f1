/**
 * Every container we run requests and limits ephemeral storage, enough for its logs and its
 * pod's emptyDirs, so a busy pod is evicted at its own limit instead of filling the node's disk.
 */
import { CONTAINER_LOG_STORAGE, PLATFORM_TARGETS } from '../../k8s/common';
import { synthTarget } from '../../k8s/synth';
import { EVERYTHING, K8sObject, config } from '../helpers/k8s';

const MI: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024 };

/** A binary-suffixed quantity like `66Mi` in MiB; anything else fails the test. */
function mebibytes(quantity: string): number {
  const match = /^(\d+)(Ki|Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`not a binary quantity: ${quantity}`);
  return Number(match[1]) * MI[match[2]];
}

const POD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

describe.each(PLATFORM_TARGETS)('ephemeral storage in the %s charts', (target) => {
  const workloads = synthTarget(target, config(EVERYTHING))
    .flatMap((chart) => chart.objects as K8sObject[])
    .filter((o) => POD_KINDS.has(o.kind));

  test('covers the web, storage demo and controller workloads (so the check below is not vacuous)', () => {
    expect(workloads.map((w) => w.metadata.name)).toEqual(
      expect.arrayContaining(['httpd', 'tomcat', 'alpine', 'volume-demo', 'bitcoin-controller']),
    );
  });

  test.each(workloads.map((w) => [`${w.metadata.namespace}/${w.metadata.name}`, w]))(
    '%s: each container requests and limits it, the limit holding its logs and the emptyDirs',
    (_name, workload) => {
      const pod = (workload as K8sObject).spec.template.spec;
      const emptyDirs = (pod.volumes ?? [])
        .filter((v: { emptyDir?: object }) => v.emptyDir)
        .map((v: { emptyDir: { sizeLimit?: string } }) => v.emptyDir.sizeLimit);
      // An emptyDir without a size limit could take the whole disk whatever the container says.
      expect(emptyDirs).not.toContain(undefined);
      const scratch = emptyDirs.reduce((sum: number, q: string) => sum + mebibytes(q), 0);
      const limits = pod.containers.map(
        (c: { resources: { limits: Record<string, string> } }) =>
          c.resources.limits['ephemeral-storage'],
      );
      for (const container of pod.containers) {
        const { requests, limits: limit } = container.resources;
        expect(mebibytes(requests['ephemeral-storage'])).toBeGreaterThan(0);
        expect(mebibytes(requests['ephemeral-storage'])).toBeLessThanOrEqual(
          mebibytes(limit['ephemeral-storage']),
        );
        expect(mebibytes(limit['ephemeral-storage'])).toBeGreaterThanOrEqual(
          CONTAINER_LOG_STORAGE.toMebibytes(),
        );
      }
      const podLimit = limits.reduce((sum: number, q: string) => sum + mebibytes(q), 0);
      expect(podLimit).toBeGreaterThanOrEqual(
        scratch + pod.containers.length * CONTAINER_LOG_STORAGE.toMebibytes(),
      );
    },
  );
});
