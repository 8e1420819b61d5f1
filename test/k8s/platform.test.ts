import { App, Chart } from 'cdk8s';
import {
  ClusterAddon,
  PLATFORM_CHART_ADDONS,
  PLATFORM_CHART_ORDER,
  createPlatformCharts,
} from '../../k8s/platform';
import {
  EVERYTHING,
  K8sObject,
  TARGETS,
  chartsOf,
  config,
  containers,
  objectsOf,
  ofKind,
  podTemplates,
  selects,
} from '../helpers/k8s';

const CLUSTER_SCOPED = new Set(['Namespace', 'StorageClass', 'PersistentVolume']);
const SAFE_SYSCTLS = new Set(['net.ipv4.ip_unprivileged_port_start']);

describe('createPlatformCharts', () => {
  test('returns every chart by name, in apply order', () => {
    const charts = createPlatformCharts(new App(), 'eks', config().platform, '1.36');
    expect(Object.keys(charts)).toEqual([...PLATFORM_CHART_ORDER]);
    expect(PLATFORM_CHART_ORDER).toEqual([
      'namespaces',
      'storage',
      'workloads',
      'ingress',
      'autoscaling',
    ]);
    for (const chart of Object.values(charts)) expect(chart).toBeInstanceOf(Chart);
  });

  test('names the add-ons each chart needs on EKS', () => {
    expect(Object.keys(PLATFORM_CHART_ADDONS).sort()).toEqual([...PLATFORM_CHART_ORDER].sort());
    // Storage classes and claims need the EBS CSI driver to provision and to delete volumes.
    expect(PLATFORM_CHART_ADDONS.storage).toContain(ClusterAddon.EBS_CSI_DRIVER);
    // Every chart with a Service or an Ingress needs the controller (webhooks, finalizers).
    const eks = chartsOf('eks', EVERYTHING);
    for (const name of PLATFORM_CHART_ORDER) {
      if (eks[name].some((o) => o.kind === 'Service' || o.kind === 'Ingress')) {
        expect([name, PLATFORM_CHART_ADDONS[name]]).toEqual([
          name,
          expect.arrayContaining([ClusterAddon.LOAD_BALANCER_CONTROLLER]),
        ]);
      }
    }
    expect(PLATFORM_CHART_ADDONS.autoscaling).toEqual([ClusterAddon.METRICS_SERVER]);
  });

  test('both targets fit in one App with distinct id prefixes', () => {
    const app = new App();
    createPlatformCharts(app, 'eks', config().platform, '1.36', { idPrefix: 'eks' });
    createPlatformCharts(app, 'local', config().platform, '1.36', { idPrefix: 'local' });
    expect(app.charts).toHaveLength(2 * PLATFORM_CHART_ORDER.length);
  });
});

describe.each(TARGETS)('every object of the %s target', (target) => {
  const objects = objectsOf(target, EVERYTHING);
  const namespaces = ofKind(chartsOf(target).namespaces, 'Namespace').map((n) => n.metadata.name);

  test('lives in a platform namespace created by the namespaces chart, never in default', () => {
    expect(namespaces).toEqual(['web', 'storage-demo']);
    for (const o of objects) {
      const where = `${o.kind}/${o.metadata.name}`;
      if (CLUSTER_SCOPED.has(o.kind)) {
        expect([where, o.metadata.namespace]).toEqual([where, undefined]);
      } else {
        expect([where, namespaces.includes(o.metadata.namespace ?? '')]).toEqual([where, true]);
      }
    }
  });

  test('has a fixed, readable name and the app.kubernetes.io labels', () => {
    for (const o of objects) {
      expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      // cdk8s appends "-c8" and a hash to names it generates; none of ours may have one.
      expect(o.metadata.name).not.toMatch(/-c8[0-9a-f]{6}$/);
      expect(o.metadata.labels).toMatchObject({
        'app.kubernetes.io/part-of': 'platform',
        'app.kubernetes.io/managed-by': 'cdk8s',
      });
    }
  });

  test('are the objects the issue names, with exactly these names', () => {
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    const expected = [
      'Namespace/web',
      'Namespace/storage-demo',
      'StorageClass/gp3',
      'StorageClass/st1',
      'StorageClass/cold',
      'PersistentVolumeClaim/demo-data',
      'PersistentVolumeClaim/throughput-st1',
      'Deployment/volume-demo',
      'ConfigMap/httpd-page',
      'Deployment/httpd',
      'Service/httpd-service',
      'ConfigMap/tomcat-page',
      'Deployment/tomcat',
      'Service/tomcat-service',
      'Deployment/alpine',
      'Service/alpine-service',
      'Service/alpine-service-nodeport',
      'Service/alpine-service-lb',
      'Ingress/web',
      'HorizontalPodAutoscaler/httpd',
      'NetworkPolicy/deny-all-ingress',
      'NetworkPolicy/deny-all-ingress',
      'NetworkPolicy/allow-httpd-http',
      'NetworkPolicy/allow-tomcat-http',
      'NetworkPolicy/allow-alpine-http',
      'PodDisruptionBudget/httpd',
      'PodDisruptionBudget/tomcat',
      'PodDisruptionBudget/alpine',
      'PodDisruptionBudget/volume-demos',
    ];
    if (target === 'eks') {
      expected.push(
        'PersistentVolume/static-vol-0123456789abcdef0',
        'PersistentVolumeClaim/static-vol-0123456789abcdef0',
        'Deployment/static-volume-demo',
      );
    }
    expect(names).toEqual(expected.sort());
  });
});

describe.each(TARGETS)('every container of the %s target', (target) => {
  const objects = objectsOf(target, EVERYTHING);
  const all = containers(objects);

  test('exists (sanity check of the helper)', () => {
    expect(all.length).toBeGreaterThanOrEqual(4);
  });

  test('has CPU and memory requests and limits', () => {
    for (const { owner, c } of all) {
      for (const kind of ['requests', 'limits']) {
        for (const resource of ['cpu', 'memory']) {
          expect([owner, kind, resource, c.resources?.[kind]?.[resource] !== undefined]).toEqual([
            owner,
            kind,
            resource,
            true,
          ]);
        }
      }
    }
  });

  test('has readiness and liveness probes', () => {
    for (const { owner, c } of all) {
      expect([owner, !!c.readinessProbe, !!c.livenessProbe]).toEqual([owner, true, true]);
    }
  });

  test('meets the restricted Pod Security Standard', () => {
    for (const { owner, c } of all) {
      expect([owner, c.securityContext]).toEqual([
        owner,
        expect.objectContaining({
          runAsNonRoot: true,
          allowPrivilegeEscalation: false,
          privileged: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        }),
      ]);
      expect(c.securityContext.runAsUser).toBeGreaterThan(0);
    }
    for (const t of podTemplates(objects)) {
      expect([t.owner, t.spec.securityContext.runAsNonRoot]).toEqual([t.owner, true]);
      expect([t.owner, t.spec.automountServiceAccountToken]).toEqual([t.owner, false]);
      for (const s of t.spec.securityContext.sysctls ?? []) {
        expect([t.owner, SAFE_SYSCTLS.has(s.name)]).toEqual([t.owner, true]);
      }
      expect(t.spec.hostNetwork).toBe(false);
    }
  });

  test('every workload selects its own pod template', () => {
    for (const o of objects.filter((x) => x.spec?.template)) {
      expect(selects(o.spec.selector.matchLabels, o.spec.template.metadata.labels)).toBe(true);
    }
  });
});

describe('resources fit two t3.medium nodes next to the system pods', () => {
  // A t3.medium has 2 vCPU and 4 GiB; EKS leaves about 1.93 vCPU and 3.3 GiB allocatable per
  // node. CoreDNS, kube-proxy, the VPC CNI, the EBS CSI driver, the metrics-server and the AWS
  // Load Balancer Controller request roughly 1 vCPU and 1 GiB together. The platform may
  // therefore request at most 1.5 vCPU and 2 GiB, even with httpd scaled out to its HPA maximum.
  const BUDGET = { cpuMillis: 1500, memoryMi: 2048 };

  function cpuMillis(q: string): number {
    return q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000;
  }
  function memoryMi(q: string): number {
    const [, n, unit] = /^(\d+)(Mi|Gi)$/.exec(q) ?? [];
    return Number(n) * (unit === 'Gi' ? 1024 : 1);
  }

  test('with every opt-in on and httpd at 10 replicas', () => {
    const objects: K8sObject[] = objectsOf('eks', EVERYTHING);
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler');
    let cpu = 0;
    let memory = 0;
    for (const d of objects.filter((o) => o.kind === 'Deployment')) {
      const replicas =
        d.metadata.name === hpa?.spec.scaleTargetRef.name ? hpa?.spec.maxReplicas : d.spec.replicas;
      for (const c of d.spec.template.spec.containers) {
        cpu += replicas * cpuMillis(c.resources.requests.cpu);
        memory += replicas * memoryMi(c.resources.requests.memory);
      }
    }
    expect(cpu).toBeLessThanOrEqual(BUDGET.cpuMillis);
    expect(memory).toBeLessThanOrEqual(BUDGET.memoryMi);
  });
});

test('namespaces enforce the restricted Pod Security Standard', () => {
  for (const target of TARGETS) {
    for (const ns of ofKind(chartsOf(target).namespaces, 'Namespace')) {
      expect(ns.metadata.labels).toMatchObject({
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'v1.36',
      });
    }
  }
});

test('the local target mentions nothing of AWS', () => {
  const text = JSON.stringify(objectsOf('local', EVERYTHING));
  expect(text).not.toMatch(/alb\.ingress|aws-load-balancer|ebs\.csi|elbv2|service\.k8s\.aws|vol-/);
});
