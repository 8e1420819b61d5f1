/**
 * Names, labels and security settings shared by the platform charts.
 *
 * Every object the issue names has a fixed `metadata.name` set here or in its chart, so the
 * manifests, the tests and the README can refer to it without guessing a generated suffix.
 */
import { ApiObject, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';

/**
 * Where the manifests go.
 * - `eks`: what `cdk deploy` applies: EBS CSI storage, AWS Load Balancer Controller annotations.
 * - `local`: kind or minikube: the local-path provisioner, a Traefik ingress class, no AWS bits.
 */
export type PlatformTarget = 'eks' | 'local';

/** Both targets, in the order `npm run synth:k8s` writes them. */
export const PLATFORM_TARGETS: readonly PlatformTarget[] = ['eks', 'local'];

/** Namespaces of the platform; nothing is put in `default`. */
export const Namespaces = {
  /** httpd, tomcat, alpine, their Services, the Ingress and the HPA. */
  WEB: 'web',
  /** The demo volumes and the Deployments that mount them. */
  STORAGE_DEMO: 'storage-demo',
} as const;

/** `app.kubernetes.io/part-of` of every platform object. */
export const PART_OF = 'platform';

/** The `app.kubernetes.io/*` labels of one component, plus the short `app` label used by selectors. */
export function appLabels(app: string, component: string): Record<string, string> {
  return {
    app,
    'app.kubernetes.io/name': app,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': 'cdk8s',
  };
}

/** Labels for objects that belong to the platform as a whole (namespaces, storage classes). */
export function platformLabels(component: string): Record<string, string> {
  return {
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': 'cdk8s',
  };
}

/**
 * A container security context that meets the Pod Security Standard "restricted": a fixed
 * non-root user, no privilege escalation, every capability dropped, the runtime's default
 * seccomp profile and a read-only root filesystem (writable paths are emptyDir mounts).
 */
export function restrictedContainer(uid: number, gid: number): kplus.ContainerSecurityContextProps {
  return {
    user: uid,
    group: gid,
    ensureNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: [kplus.Capability.ALL] },
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
}

/**
 * The most a container's own logs take on its node: the kubelet keeps at most 5 files of 10 MiB
 * each (its `containerLogMaxFiles` and `containerLogMaxSize` defaults, which EKS's AL2023 nodes
 * keep).
 */
export const CONTAINER_LOG_STORAGE = Size.mebibytes(50);

/**
 * Gives the one container of `workload` (read-only root filesystem) an ephemeral-storage request
 * and limit of its logs plus its pod's emptyDirs (`scratch`, their size limits), which the kubelet
 * counts against the pod. Requested in full, so a node never promises its disk to more than it
 * holds; past the limit the kubelet evicts this pod instead of letting the node's disk fill.
 *
 * A JSON patch, because cdk8s-plus writes ephemeral storage in whole GiB only.
 */
export function limitEphemeralStorage(workload: kplus.Workload, ...scratch: Size[]): void {
  if (workload.containers.length !== 1) {
    throw new Error(
      `limitEphemeralStorage needs a workload with one container, ${workload.name} has ${workload.containers.length}`,
    );
  }
  const mebibytes = [CONTAINER_LOG_STORAGE, ...scratch].reduce(
    (sum, s) => sum + s.toMebibytes(),
    0,
  );
  const resources = '/spec/template/spec/containers/0/resources';
  for (const field of ['requests', 'limits']) {
    ApiObject.of(workload).addJsonPatch(
      // A Quantity: the typed object renders the patched resources as Quantities.
      JsonPatch.add(
        `${resources}/${field}/ephemeral-storage`,
        kplus.k8s.Quantity.fromString(`${mebibytes}Mi`),
      ),
    );
  }
}
