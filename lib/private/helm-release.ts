import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { CfnResource, Duration } from 'aws-cdk-lib';

/**
 * How long Helm waits for a release to be ready. The kubectl provider's Lambda (15 minutes, the
 * most Lambda allows) must outlive Helm to tell CloudFormation the outcome; killed first, it leaves
 * the release `pending-install` and the next deploy fails. A failed atomic upgrade rolls back, and
 * the rollback waits up to the same timeout again: 2 × 6 minutes leaves 3 for the handler's
 * kubeconfig, the chart download and its answer.
 */
export const HELM_RELEASE_TIMEOUT = Duration.minutes(6);

/**
 * Every release of the stack waits for its pods, within the timeout, and is atomic: a failed
 * install is uninstalled and a failed upgrade rolled back, so no release is left pending.
 */
export const HELM_RELEASE_OPTIONS = {
  wait: true,
  atomic: true,
  timeout: HELM_RELEASE_TIMEOUT,
} as const satisfies Partial<eks.HelmChartOptions>;

/** Applies {@link HELM_RELEASE_OPTIONS} to a release whose props aws-cdk-lib chose. */
export function boundHelmRelease(chart: eks.HelmChart): void {
  const resource = chart.node.findAll().find((c): c is CfnResource => c instanceof CfnResource);
  if (!resource) throw new Error(`Helm release ${chart.node.path} has no CloudFormation resource`);
  resource.addPropertyOverride('Wait', HELM_RELEASE_OPTIONS.wait);
  resource.addPropertyOverride('Atomic', HELM_RELEASE_OPTIONS.atomic);
  resource.addPropertyOverride('Timeout', `${HELM_RELEASE_TIMEOUT.toSeconds()}s`);
}
