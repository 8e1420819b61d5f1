import { Chart, ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import { KUBERNETES_MINORS, KubernetesMinor } from '../config';
import { denyAllIngress } from './network-policies';
import { Namespaces, PlatformTarget, platformLabels } from './common';

export interface NamespacesChartProps extends ChartProps {
  readonly target: PlatformTarget;
  /** The cluster's minor, which picks the Pod Security version (config/kubernetes-minors.ts). */
  readonly kubernetesVersion: KubernetesMinor;
}

/** Pod Security Standard level enforced in the platform namespaces. */
export const POD_SECURITY_LEVEL = 'restricted';

/**
 * The platform's namespaces. Applied first: every other chart puts its objects in them.
 *
 * Both enforce the "restricted" Pod Security Standard, so a container that runs as root or keeps
 * a capability is rejected by the API server, not found later. On EKS, `web` also asks the AWS
 * Load Balancer Controller to inject pod readiness gates: with `target-type: ip` a rolling update
 * then waits until the new pods are healthy in the ALB target group.
 */
export class NamespacesChart extends Chart {
  constructor(scope: Construct, id: string, props: NamespacesChartProps) {
    super(scope, id, props);
    // Pinned per minor, not `latest`: the policy moves with a version change, in the same
    // deploy, never under running workloads by itself.
    const { podSecurityVersion } = KUBERNETES_MINORS[props.kubernetesVersion];
    const podSecurity = {
      'pod-security.kubernetes.io/enforce': POD_SECURITY_LEVEL,
      'pod-security.kubernetes.io/enforce-version': podSecurityVersion,
      'pod-security.kubernetes.io/warn': POD_SECURITY_LEVEL,
      'pod-security.kubernetes.io/warn-version': podSecurityVersion,
    };
    const readinessGates: Record<string, string> =
      props.target === 'eks' ? { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' } : {};

    new kplus.Namespace(this, 'web', {
      metadata: {
        name: Namespaces.WEB,
        labels: { ...platformLabels('web'), ...podSecurity, ...readinessGates },
      },
    });
    new kplus.Namespace(this, 'storage-demo', {
      metadata: {
        name: Namespaces.STORAGE_DEMO,
        labels: { ...platformLabels('storage-demo'), ...podSecurity },
      },
    });
    // The workloads chart opens the ports the web apps serve; the volume demos serve nothing.
    denyAllIngress(this, Namespaces.WEB, platformLabels('web'));
    denyAllIngress(this, Namespaces.STORAGE_DEMO, platformLabels('storage-demo'));
  }
}
