/**
 * The one-time hand-over of httpd's replica count from the workloads chart to its HPA, on a
 * cluster whose workloads chart an earlier version deployed with `replicas` on httpd.
 *
 * The kubectl handler updates a chart with client-side `kubectl apply`, which deletes every field
 * that is in the object's last-applied-configuration annotation and not in the new manifest:
 * `spec.replicas` would go and the Deployment fall back to 1 replica, killing pods, until the HPA
 * acts. Applied just before the chart's update, this merge patch replaces the annotation with
 * exactly what this version gives up and wants deleted: the liveness probe's `httpGet` (now a
 * `tcpSocket`), and not `spec.replicas`. The update then applies everything else as usual, deletes
 * the old probe handler, leaves the HPA's count alone and writes the full annotation again.
 *
 * A constant: the patch's properties never change, so CloudFormation runs it once.
 */
import { HTTPD_AUTOSCALING } from '../autoscaling-chart';
import { Namespaces } from '../common';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

const deployment = HTTPD_AUTOSCALING.deployment;

/** What the earlier version's annotation held that this one deletes (the container is named after the Deployment). */
const GIVEN_UP = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: deployment, namespace: Namespaces.WEB },
  spec: {
    template: { spec: { containers: [{ name: deployment, livenessProbe: { httpGet: {} } }] } },
  },
};

/** The target and the merge patch of the hand-over. */
export const HTTPD_REPLICAS_RELEASE = {
  resourceName: `deployment/${deployment}`,
  resourceNamespace: Namespaces.WEB,
  patch: { metadata: { annotations: { [LAST_APPLIED_ANNOTATION]: JSON.stringify(GIVEN_UP) } } },
} as const;
