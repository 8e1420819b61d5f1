/**
 * What a controller must have cleaned up before CloudFormation deletes it. Once the Load
 * Balancer Controller, the EBS CSI driver or the bitcoin controller is gone, nothing deletes
 * the load balancers, volumes or StatefulSets their objects stand for: so before each goes, the
 * rehearsal looks for objects it would leave to nobody.
 */
import { CONTROLLER_NAME, GROUP, KIND, PLURAL } from '../../controller/api';
import { EBS_CSI_PROVISIONER } from '../../k8s/storage-chart';
import { kubectl } from '../testplane/lib/kubectl';
import type { ResourceStep } from './executors';

interface Duty {
  /** Who cleans up. */
  readonly controller: string;
  /** Whether this resource is that controller. */
  readonly is: (step: ResourceStep) => boolean;
  /** `kubectl get` arguments for what it must have cleaned up, and a filter on the results. */
  readonly lookups: ReadonlyArray<{ readonly args: string[]; readonly jsonPath: string }>;
}

const manifestHasDeployment = (step: ResourceStep, name: string): boolean =>
  step.type === 'Custom::AWSCDK-EKS-KubernetesResource' &&
  (
    JSON.parse(String(step.properties.Manifest)) as Array<{
      kind: string;
      metadata: { name: string };
    }>
  ).some((o) => o.kind === 'Deployment' && o.metadata.name === name);

const DUTIES: readonly Duty[] = [
  {
    controller: 'the AWS Load Balancer Controller',
    is: (step) =>
      step.type === 'Custom::AWSCDK-EKS-HelmChart' &&
      step.properties.Chart === 'aws-load-balancer-controller',
    lookups: [
      {
        args: ['get', 'services', '--all-namespaces'],
        jsonPath:
          '{range .items[?(@.spec.type=="LoadBalancer")]}Service {.metadata.namespace}/{.metadata.name}{"\\n"}{end}',
      },
      {
        args: ['get', 'ingresses', '--all-namespaces'],
        jsonPath: '{range .items[*]}Ingress {.metadata.namespace}/{.metadata.name}{"\\n"}{end}',
      },
    ],
  },
  {
    controller: 'the EBS CSI driver',
    is: (step) =>
      step.type === 'AWS::EKS::Addon' && step.properties.AddonName === 'aws-ebs-csi-driver',
    lookups: [
      {
        args: ['get', 'persistentvolumeclaims', '--all-namespaces'],
        jsonPath:
          '{range .items[*]}PersistentVolumeClaim {.metadata.namespace}/{.metadata.name}{"\\n"}{end}',
      },
      {
        args: ['get', 'persistentvolumes'],
        jsonPath: `{range .items[?(@.spec.csi.driver=="${EBS_CSI_PROVISIONER}")]}PersistentVolume {.metadata.name}{"\\n"}{end}`,
      },
    ],
  },
  {
    controller: 'the bitcoin controller',
    is: (step) => manifestHasDeployment(step, CONTROLLER_NAME),
    lookups: [
      {
        args: ['get', `${PLURAL}.${GROUP}`, '--all-namespaces'],
        jsonPath: `{range .items[*]}${KIND} {.metadata.namespace}/{.metadata.name}{"\\n"}{end}`,
      },
    ],
  },
];

/**
 * When `step` deletes one of those controllers: who it is and what it would leave behind, one
 * line each. Undefined for every other resource.
 */
export async function cleanupDutiesLeft(
  step: ResourceStep,
  kubeconfig: string,
): Promise<{ controller: string; left: string[] } | undefined> {
  const duty = DUTIES.find((d) => d.is(step));
  if (!duty) return undefined;
  const left: string[] = [];
  for (const { args, jsonPath } of duty.lookups) {
    const out = await kubectl(kubeconfig, [...args, '-o', `jsonpath=${jsonPath}`]);
    left.push(...out.split('\n').filter((line) => line.trim() !== ''));
  }
  return { controller: duty.controller, left };
}
