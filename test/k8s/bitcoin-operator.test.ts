import { execFileSync } from 'node:child_process';
import { Testing } from 'cdk8s';
import {
  BitcoinOperatorChart,
  CONTROLLER_HEALTH_PORT,
  CONTROLLER_RULES,
  CONTROLLER_NODE_OPTIONS,
  CONTROLLER_UID,
} from '../../k8s/bitcoin-operator-chart';
import pino from 'pino';
import { ApiClients } from '../../controller/kube/api-clients';
import { makeInformers } from '../../controller/kube/informers';
import { SharedAgents } from '../../controller/kube/keep-alive';
import { LEASE_NAME } from '../../controller/api';
import { API_METHODS } from '../../controller/runtime/metered';
import { unreachableKubeConfig } from '../controller/fixtures';

type Json = any;

const IMAGE = '123456789012.dkr.ecr.eu-central-1.amazonaws.com/bitcoin-controller:0.1.0';

function synth(image = IMAGE): Json[] {
  return Testing.synth(new BitcoinOperatorChart(Testing.app(), 'operator', { image }));
}

function find(manifests: Json[], kind: string): Json {
  const found = manifests.filter((m) => m.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
}

// The contract with the controller, written out independently of the chart's constant: the
// calls of controller/kube/ports.ts and the informers of controller/kube/informers.ts, nothing more.
const EXPECTED_RULES = [
  {
    apiGroups: ['bitcoin.eksplatform.dev'],
    resources: ['bitcoinnetworks'],
    verbs: ['get', 'list', 'watch'],
  },
  {
    apiGroups: ['bitcoin.eksplatform.dev'],
    resources: ['bitcoinnetworks/status'],
    verbs: ['update'],
  },
  {
    apiGroups: ['apps'],
    resources: ['statefulsets'],
    verbs: ['get', 'list', 'watch', 'create', 'patch'],
  },
  {
    apiGroups: [''],
    resources: ['services'],
    verbs: ['get', 'list', 'watch', 'create', 'patch'],
  },
  { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
  { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch', 'create'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create'] },
  {
    apiGroups: ['networking.k8s.io'],
    resources: ['networkpolicies'],
    verbs: ['get', 'list', 'watch', 'create', 'patch'],
  },
  {
    apiGroups: ['policy'],
    resources: ['poddisruptionbudgets'],
    verbs: ['get', 'list', 'watch', 'create', 'patch'],
  },
];

// Leader election: the Lease in the controller's namespace, and only that Lease once created.
const EXPECTED_ROLE_RULES = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
  {
    apiGroups: ['coordination.k8s.io'],
    resources: ['leases'],
    resourceNames: ['bitcoin-controller-leader'],
    verbs: ['get', 'update'],
  },
];

const DANGEROUS_VERBS = ['delete', 'deletecollection', 'escalate', 'bind', 'impersonate', '*'];

/** Why each rule is broader than least privilege; empty when none is. */
function broadening(rules: Json[]): string[] {
  const problems: string[] = [];
  rules.forEach((rule, i) => {
    for (const field of ['apiGroups', 'resources', 'verbs']) {
      if ((rule[field] ?? []).some((v: string) => v.includes('*'))) {
        problems.push(`rule ${i}: wildcard in ${field}`);
      }
    }
    for (const verb of rule.verbs ?? []) {
      if (DANGEROUS_VERBS.includes(verb)) {
        problems.push(`rule ${i}: verb ${verb}`);
      }
    }
    if (rule.nonResourceURLs) {
      problems.push(`rule ${i}: nonResourceURLs`);
    }
    if (rule.apiGroups?.length !== 1 || rule.resources?.length !== 1) {
      problems.push(`rule ${i}: must name one API group and one resource`);
    }
  });
  return problems;
}

describe('BitcoinOperatorChart', () => {
  test('matches the snapshot', () => {
    expect(synth()).toMatchSnapshot();
  });

  test('creates the namespace first, then the identity, RBAC, Deployment, budget and policies, with stable names', () => {
    expect(synth().map((m) => [m.kind, m.metadata.name, m.metadata.namespace])).toEqual([
      ['Namespace', 'bitcoin-controller', undefined],
      ['ServiceAccount', 'bitcoin-controller', 'bitcoin-controller'],
      ['ClusterRole', 'bitcoin-controller', undefined],
      ['ClusterRoleBinding', 'bitcoin-controller', undefined],
      ['Role', 'bitcoin-controller', 'bitcoin-controller'],
      ['RoleBinding', 'bitcoin-controller', 'bitcoin-controller'],
      ['Deployment', 'bitcoin-controller', 'bitcoin-controller'],
      ['PodDisruptionBudget', 'bitcoin-controller', 'bitcoin-controller'],
      ['NetworkPolicy', 'deny-all-ingress', 'bitcoin-controller'],
      ['NetworkPolicy', 'allow-health-and-metrics', 'bitcoin-controller'],
    ]);
  });

  test('denies all ingress to the controller except the health and metrics port', () => {
    const policies = synth().filter((m) => m.kind === 'NetworkPolicy');
    expect(policies.map((p) => p.spec)).toEqual([
      { podSelector: {}, policyTypes: ['Ingress'] },
      {
        podSelector: {
          matchLabels: find(synth(), 'Deployment').spec.selector.matchLabels,
        },
        policyTypes: ['Ingress'],
        ingress: [{ ports: [{ protocol: 'TCP', port: 8081 }] }],
      },
    ]);
  });

  test('a PodDisruptionBudget keeps at least one controller replica through drains', () => {
    const manifests = synth();
    expect(find(manifests, 'PodDisruptionBudget').spec).toEqual({
      minAvailable: 1,
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
      selector: { matchLabels: find(manifests, 'Deployment').spec.selector.matchLabels },
    });
  });

  test('enforces the restricted Pod Security Standard in its namespace', () => {
    expect(find(synth(), 'Namespace').metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
  });

  describe('RBAC', () => {
    test('the ClusterRole grants exactly the rules the controller needs', () => {
      expect(find(synth(), 'ClusterRole').rules).toEqual(EXPECTED_RULES);
    });

    test('no rule is broader than least privilege', () => {
      expect(broadening(find(synth(), 'ClusterRole').rules)).toEqual([]);
      expect(broadening(find(synth(), 'Role').rules)).toEqual([]);
    });

    test('leases are granted by a namespaced Role only, get and update by name', () => {
      const manifests = synth();
      expect(find(manifests, 'Role').rules).toEqual(EXPECTED_ROLE_RULES);
      expect(
        find(manifests, 'ClusterRole').rules.filter((r: Json) => r.resources.includes('leases')),
      ).toEqual([]);
      expect(find(manifests, 'RoleBinding')).toMatchObject({
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'Role',
          name: 'bitcoin-controller',
        },
        subjects: [
          { kind: 'ServiceAccount', name: 'bitcoin-controller', namespace: 'bitcoin-controller' },
        ],
      });
    });

    test('the grants are exactly what the code calls: its API methods and its informers', () => {
      // API group of each resource the controller touches
      const GROUPS: Record<string, string> = {
        bitcoinnetworks: 'bitcoin.eksplatform.dev',
        'bitcoinnetworks/status': 'bitcoin.eksplatform.dev',
        statefulsets: 'apps',
        services: '',
        pods: '',
        secrets: '',
        events: '',
        networkpolicies: 'networking.k8s.io',
        poddisruptionbudgets: 'policy',
        leases: 'coordination.k8s.io',
      };
      // Informers list and watch; adding one to makeInformers without updating this fails below.
      const INFORMED: Record<string, string> = {
        networks: 'bitcoinnetworks',
        statefulsets: 'statefulsets',
        services: 'services',
        pods: 'pods',
        secrets: 'secrets',
        networkpolicies: 'networkpolicies',
        poddisruptionbudgets: 'poddisruptionbudgets',
      };
      const kc = unreachableKubeConfig();
      const informers = makeInformers(
        new ApiClients(kc, new SharedAgents()),
        pino({ level: 'silent' }),
        {
          network: () => undefined,
          child: () => undefined,
        },
      );
      expect(Object.keys(informers).sort()).toEqual(Object.keys(INFORMED).sort());
      const used = new Set<string>();
      for (const [verb, resource] of Object.values(API_METHODS)) {
        used.add(`${GROUPS[resource]}|${resource}|${verb}`);
      }
      for (const resource of Object.values(INFORMED)) {
        for (const verb of ['list', 'watch']) used.add(`${GROUPS[resource]}|${resource}|${verb}`);
      }
      const manifests = synth();
      const granted = new Set<string>();
      for (const rule of [
        ...find(manifests, 'ClusterRole').rules,
        ...find(manifests, 'Role').rules,
      ]) {
        for (const verb of rule.verbs)
          granted.add(`${rule.apiGroups[0]}|${rule.resources[0]}|${verb}`);
      }
      // nothing used is missing, and nothing granted is unused
      expect([...used].filter((u) => !granted.has(u)).sort()).toEqual([]);
      expect([...granted].filter((g) => !used.has(g)).sort()).toEqual([]);
    });

    test('the Role names the Lease the controller campaigns for', () => {
      expect(find(synth(), 'Role').rules[1].resourceNames).toEqual([LEASE_NAME]);
    });

    test('each API group and resource is granted by one rule only', () => {
      const keys = CONTROLLER_RULES.map((r) => `${r.apiGroups}/${r.resources}`);
      expect(new Set(keys).size).toBe(keys.length);
    });

    test('the broadening check catches wildcards, deletes and extra resources', () => {
      // GIVEN rules widened in the ways a careless edit would widen them
      const widened = [
        { ...EXPECTED_RULES[0], verbs: ['*'] },
        { ...EXPECTED_RULES[5], verbs: [...EXPECTED_RULES[5].verbs, 'delete'] },
        { ...EXPECTED_RULES[4], resources: ['pods', 'pods/exec'] },
        { apiGroups: ['*'], resources: ['*'], verbs: ['get'] },
      ];
      // THEN each one is reported, and the exact-equality test would fail too
      expect(broadening(widened)).toEqual([
        'rule 0: wildcard in verbs',
        'rule 0: verb *',
        'rule 1: verb delete',
        'rule 2: must name one API group and one resource',
        'rule 3: wildcard in apiGroups',
        'rule 3: wildcard in resources',
      ]);
      expect(widened).not.toEqual(EXPECTED_RULES);
    });

    test('the ClusterRoleBinding binds the ClusterRole to the ServiceAccount', () => {
      const manifests = synth();
      const binding = find(manifests, 'ClusterRoleBinding');
      const account = find(manifests, 'ServiceAccount');
      expect(binding.roleRef).toEqual({
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: find(manifests, 'ClusterRole').metadata.name,
      });
      expect(binding.subjects).toEqual([
        {
          kind: 'ServiceAccount',
          name: account.metadata.name,
          namespace: account.metadata.namespace,
        },
      ]);
    });

    test('only the controller pod mounts the ServiceAccount token', () => {
      const manifests = synth();
      expect(find(manifests, 'ServiceAccount').automountServiceAccountToken).toBe(false);
      const pod = find(manifests, 'Deployment').spec.template.spec;
      expect(pod.serviceAccountName).toBe('bitcoin-controller');
      expect(pod.automountServiceAccountToken).toBe(true);
    });
  });

  describe('Deployment', () => {
    const deployment = () => find(synth(), 'Deployment');
    const pod = () => deployment().spec.template.spec;
    const container = () => {
      expect(pod().containers).toHaveLength(1);
      return pod().containers[0];
    };

    test('runs two replicas with leader election, rolled one at a time', () => {
      expect(deployment().spec.replicas).toBe(2);
      expect(deployment().spec.strategy).toEqual({
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
      });
      expect(container().env).toEqual([
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'BITCOIN_CONTROLLER_LEADER_ELECT', value: 'true' },
        { name: 'NODE_OPTIONS', value: '--max-semi-space-size=4' },
      ]);
    });

    test('the node runtime options are ones NODE_OPTIONS accepts', () => {
      // node refuses to start when NODE_OPTIONS holds an option it does not allow there.
      const out = execFileSync(process.execPath, ['-e', 'process.stdout.write("ok")'], {
        env: { PATH: process.env.PATH, NODE_OPTIONS: CONTROLLER_NODE_OPTIONS },
      });
      expect(out.toString()).toBe('ok');
    });

    test('selects its pods by stable labels', () => {
      const { selector, template } = deployment().spec;
      expect(selector.matchLabels).toEqual({
        'app.kubernetes.io/name': 'bitcoin-controller',
        'app.kubernetes.io/component': 'controller',
        'app.kubernetes.io/part-of': 'bitcoin-operator',
      });
      expect(template.metadata.labels).toMatchObject(selector.matchLabels);
    });

    test('runs the given image', () => {
      expect(container().image).toBe(IMAGE);
      expect(container().imagePullPolicy).toBe('IfNotPresent');
    });

    test('runs as a high non-root user with a read-only root filesystem and no privileges', () => {
      expect(CONTROLLER_UID).toBeGreaterThanOrEqual(10000);
      expect(pod().securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
      expect(container().securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 10001,
        runAsGroup: 10001,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
    });

    test('gets a small writable /tmp, since the root filesystem is read-only', () => {
      expect(container().volumeMounts).toEqual([{ mountPath: '/tmp', name: 'tmp' }]);
      expect(pod().volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '16Mi' } }]);
    });

    test('requests and limits CPU and memory', () => {
      expect(container().resources).toEqual({
        requests: { cpu: '50m', memory: '256Mi' },
        limits: { cpu: '500m', memory: '512Mi' },
      });
    });

    test('probes liveness on /healthz and readiness on /readyz of the health port', () => {
      expect(CONTROLLER_HEALTH_PORT).toBe(8081);
      expect(container().ports).toEqual([{ containerPort: 8081, name: 'health' }]);
      expect(container().livenessProbe.httpGet).toEqual({
        path: '/healthz',
        port: 8081,
        scheme: 'HTTP',
      });
      expect(container().readinessProbe.httpGet).toEqual({
        path: '/readyz',
        port: 8081,
        scheme: 'HTTP',
      });
    });
  });

  // Pinning is the config's rule (test/config/operator.test.ts); the chart takes the image as given.
  describe('image', () => {
    test('passes an unresolved CDK token through for CDK to resolve', () => {
      const token = '${Token[TOKEN.123]}';
      expect(find(synth(token), 'Deployment').spec.template.spec.containers[0].image).toBe(token);
    });
  });
});
