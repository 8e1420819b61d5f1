/**
 * The pure decision function, table-driven: observed state in, actions and problems out.
 */
import type {
  V1Pod,
  V1PodTemplateSpec,
  V1Secret,
  V1Service,
  V1StatefulSet,
} from '@kubernetes/client-node';
import {
  ANNOTATION_CREDENTIALS_HASH,
  ANNOTATION_SPEC_HASH,
  BitcoinNetwork,
} from '../../../controller/api';
import {
  credentialsHash,
  derivedRpcAuth,
  RpcCredentials,
} from '../../../controller/bitcoin/credentials';
import { desiredNetworkPolicy } from '../../../controller/reconcile/desired/network-policy';
import { desiredPodDisruptionBudget } from '../../../controller/reconcile/desired/pod-disruption-budget';
import { desiredRpcAuthSecret, desiredSecret } from '../../../controller/reconcile/desired/secret';
import { desiredService } from '../../../controller/reconcile/desired/service';
import { desiredStatefulSet } from '../../../controller/reconcile/desired/stateful-set';
import { podFor } from '../../../controller/testing/objects';
import { Action, Observed, Plan } from '../../../controller/reconcile/plan';
import { reconcile } from '../../../controller/reconcile/reconcile';
import { b64, networkObject } from '../fixtures';

const creds: RpcCredentials = { username: 'bitcoin', password: 'pw', rpcauth: 'bitcoin:aa$bb' };
/** Where the pods of a network with the generated Secret get `creds`. */
const generated = (c: RpcCredentials = creds) => ({
  secretName: 'net-rpc',
  rpcAuthSecretName: 'net-rpc',
  hash: credentialsHash(c),
});
const net = (spec: BitcoinNetwork['spec'] = { nodes: 2 }): BitcoinNetwork => ({
  ...networkObject('net', spec),
  metadata: { name: 'net', namespace: 'default', uid: 'uid-net', generation: 1 },
});
const secret = (n: BitcoinNetwork): V1Secret => desiredSecret(n, creds);
const service = (n: BitcoinNetwork): V1Service => desiredService(n);
const sts = (n: BitcoinNetwork, replicas = n.spec.nodes): V1StatefulSet => {
  const s = desiredStatefulSet(n, generated());
  return { ...s, spec: { ...s.spec!, replicas } };
};
const netpol = (n: BitcoinNetwork) => desiredNetworkPolicy(n);
const pdb = (n: BitcoinNetwork) => desiredPodDisruptionBudget(n);
/** Policy and budget as the controller made them. */
const guards = (n: BitcoinNetwork) => ({ networkPolicy: netpol(n), podDisruptionBudget: pdb(n) });
const ready = (i: number, ok = true): V1Pod => podFor('net', 'default', i, { ready: ok });

/** Actions as short strings; a pod template and the hash of a patch are abbreviated. */
function summary(actions: Action[]): string[] {
  const abbreviate = (key: string, value: unknown) =>
    key === 'template' ? '<template>' : key === ANNOTATION_SPEC_HASH ? '<hash>' : value;
  return actions.map((a) =>
    a.type === 'create'
      ? `create ${a.resource} ${a.object.metadata?.name}`
      : a.type === 'patch'
        ? `patch ${a.resource} ${a.name} ${JSON.stringify(a.patch, abbreviate)}`
        : `event ${a.eventType} ${a.reason}`,
  );
}
const TEMPLATE_PATCH = `patch statefulsets net-sts {"metadata":{"annotations":{"${ANNOTATION_SPEC_HASH}":"<hash>"}},"spec":{"template":"<template>"}}`;

/** The pod template of a StatefulSet created or patched by a plan. */
function plannedTemplate(plan: Plan) {
  for (const a of plan.actions) {
    if (a.type === 'create' && a.resource === 'statefulsets') {
      return (a.object as V1StatefulSet).spec?.template;
    }
    if (a.type === 'patch' && a.resource === 'statefulsets') {
      return (a.patch as { spec?: { template?: V1PodTemplateSpec } }).spec?.template;
    }
  }
  return undefined;
}

/** The patch a plan sends to `resource`. */
function patchOf(plan: Plan, resource: string): { spec?: Record<string, unknown> } | undefined {
  const action = plan.actions.find((a) => a.type === 'patch' && a.resource === resource);
  return action?.type === 'patch' ? action.patch : undefined;
}

/** A network whose credentials are the user's Secret `mine`. */
const userNet = (spec: Partial<BitcoinNetwork['spec']> = {}) =>
  net({ nodes: 2, rpcSecretName: 'mine', ...spec });
const userSecret = (data: Record<string, string>): V1Secret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'mine', namespace: 'default', uid: 'uid-mine' },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
});
const alice = { username: 'alice', password: 'wonderland' };
/** The line the controller derives for `alice` in `mine`. */
const aliceLine = (n: BitcoinNetwork) => derivedRpcAuth(n, 'uid-mine', alice);
/** The StatefulSet as made for a user Secret whose line in effect was `line`. */
const userSts = (n: BitcoinNetwork, line: string) =>
  desiredStatefulSet(n, {
    secretName: 'mine',
    rpcAuthSecretName: 'net-rpcauth',
    hash: credentialsHash({ ...alice, rpcauth: line }),
  });
const decoded = (secret: V1Secret | undefined, key: string) =>
  Buffer.from(secret?.data?.[key] ?? '', 'base64').toString('utf8');

describe('reconcile (pure)', () => {
  const n = net();
  const rotated: RpcCredentials = {
    username: 'bitcoin',
    password: 'new',
    rpcauth: 'bitcoin:cc$dd',
  };
  const u = userNet();
  const limited = net({
    nodes: 2,
    resources: { requests: { memory: '2Gi' }, limits: { memory: '1Gi' } },
  });
  test.each<{
    name: string;
    observed: Observed;
    actions: string[];
    problems: string[];
    mesh: number;
    /** What `newCredentials` returns. @default creds */
    made?: RpcCredentials;
    /** Focused checks of the plan. */
    check?: (plan: Plan) => void;
  }>([
    {
      name: 'nothing exists: create all five, policy and budget before the pods',
      observed: { network: n, pods: [] },
      actions: [
        'create secrets net-rpc',
        'event Normal Created',
        'create services net-svc',
        'event Normal Created',
        'create networkpolicies net-netpol',
        'event Normal Created',
        'create poddisruptionbudgets net-pdb',
        'event Normal Created',
        'create statefulsets net-sts',
        'event Normal Created',
      ],
      problems: [],
      mesh: 0,
    },
    {
      name: 'everything as specified: nothing to do, mesh the ready pods',
      observed: {
        network: n,
        secret: secret(n),
        service: service(n),
        statefulSet: sts(n),
        ...guards(n),
        pods: [ready(0), ready(1)],
      },
      actions: [],
      problems: [],
      mesh: 2,
    },
    {
      name: 'replicas drifted: patch them back',
      observed: {
        network: n,
        secret: secret(n),
        service: service(n),
        statefulSet: sts(n, 5),
        ...guards(n),
        pods: [],
      },
      actions: ['patch statefulsets net-sts {"spec":{"replicas":2}}', 'event Normal Scaled'],
      problems: [],
      mesh: 0,
    },
    {
      name: 'only ready pods with an IP take part in the mesh',
      observed: {
        network: n,
        secret: secret(n),
        service: service(n),
        statefulSet: sts(n),
        ...guards(n),
        pods: [ready(0), ready(1, false)],
      },
      actions: [],
      problems: [],
      mesh: 1,
    },
    {
      name: 'generated Secret owned by someone else: not used, no StatefulSet',
      observed: {
        network: n,
        secret: { ...secret(n), metadata: { name: 'net-rpc', ownerReferences: [] } },
        service: service(n),
        ...guards(n),
        pods: [],
      },
      actions: [],
      problems: ['ErrResourceExists'],
      mesh: 0,
    },
    {
      name: 'generated Secret of ours without rpcauth: reported, not rewritten',
      observed: {
        network: n,
        secret: { ...secret(n), data: { username: 'YQ==', password: 'Yg==' } },
        service: service(n),
        statefulSet: sts(n),
        ...guards(n),
        pods: [ready(0)],
      },
      actions: [],
      problems: ['SecretKeyMissing'],
      mesh: 0,
    },
    {
      name: 'NetworkPolicy edited by hand (RPC opened to all): its spec is patched back',
      observed: {
        network: n,
        secret: secret(n),
        service: service(n),
        statefulSet: sts(n),
        networkPolicy: {
          ...netpol(n),
          spec: { ...netpol(n).spec, ingress: [{ ports: [{ protocol: 'TCP', port: 18443 }] }] },
        },
        podDisruptionBudget: pdb(n),
        pods: [],
      },
      actions: [
        `patch networkpolicies net-netpol ${JSON.stringify({ spec: netpol(n).spec })}`,
        'event Normal Updated',
      ],
      problems: [],
      mesh: 0,
    },
    {
      name: 'PodDisruptionBudget drifted: patched back to one at a time, unready pods evictable',
      observed: {
        network: n,
        secret: secret(n),
        service: service(n),
        statefulSet: sts(n),
        networkPolicy: netpol(n),
        podDisruptionBudget: {
          ...pdb(n),
          spec: {
            ...pdb(n).spec,
            maxUnavailable: 3,
            unhealthyPodEvictionPolicy: 'IfHealthyBudget',
          },
        },
        pods: [],
      },
      actions: [
        'patch poddisruptionbudgets net-pdb {"spec":{"maxUnavailable":1,"unhealthyPodEvictionPolicy":"AlwaysAllow","selector":{"matchLabels":{"app.kubernetes.io/name":"bitcoind","app.kubernetes.io/instance":"net","app.kubernetes.io/managed-by":"bitcoin-controller","bitcoin.eksplatform.dev/network":"net"}}}}',
        'event Normal Updated',
      ],
      problems: [],
      mesh: 0,
    },
    {
      name: 'a NetworkPolicy and a PodDisruptionBudget of that name owned by someone else',
      observed: {
        network: n,
        secret: secret(n),
        service: service(n),
        statefulSet: sts(n),
        networkPolicy: { ...netpol(n), metadata: { name: 'net-netpol', ownerReferences: [] } },
        podDisruptionBudget: { ...pdb(n), metadata: { name: 'net-pdb' } },
        pods: [ready(0), ready(1)],
      },
      actions: [],
      problems: ['ErrResourceExists', 'ErrResourceExists'],
      mesh: 2,
    },
    {
      name: 'a NetworkPolicy of an earlier version (ingress only) is patched to limit egress too',
      observed: {
        network: n,
        secret: secret(n),
        service: service(n),
        statefulSet: sts(n),
        networkPolicy: {
          ...netpol(n),
          spec: {
            podSelector: netpol(n).spec?.podSelector ?? {},
            policyTypes: ['Ingress'],
            ingress: netpol(n).spec?.ingress,
          },
        },
        podDisruptionBudget: pdb(n),
        pods: [],
      },
      actions: [
        `patch networkpolicies net-netpol ${JSON.stringify({ spec: netpol(n).spec })}`,
        'event Normal Updated',
      ],
      problems: [],
      mesh: 0,
      check: (plan) => {
        expect(patchOf(plan, 'networkpolicies')?.spec?.policyTypes).toEqual(['Ingress', 'Egress']);
      },
    },
    {
      name: 'generated Secret made again with new credentials: the pod template changes, so the pods roll',
      observed: {
        network: n,
        secret: desiredSecret(n, rotated),
        service: service(n),
        statefulSet: sts(n),
        ...guards(n),
        pods: [ready(0), ready(1)],
      },
      actions: [TEMPLATE_PATCH, 'event Normal Updated'],
      problems: [],
      mesh: 2,
      check: (plan) => {
        const annotations = plannedTemplate(plan)?.metadata?.annotations ?? {};
        expect(annotations[ANNOTATION_CREDENTIALS_HASH]).toMatch(/^[0-9a-f]{16}$/);
        expect(annotations[ANNOTATION_CREDENTIALS_HASH]).not.toBe(
          sts(n).spec?.template.metadata?.annotations?.[ANNOTATION_CREDENTIALS_HASH],
        );
        // A hash, never the credentials themselves.
        expect(JSON.stringify(plannedTemplate(plan))).not.toMatch(/new|cc\$dd/);
        expect(plan.credentials).toEqual({ username: 'bitcoin', password: 'new' });
      },
    },
    {
      name: 'generated Secret deleted: new credentials, and the pods roll to them in the same pass',
      observed: {
        network: n,
        service: service(n),
        statefulSet: sts(n),
        ...guards(n),
        pods: [ready(0), ready(1)],
      },
      made: rotated,
      actions: [
        'create secrets net-rpc',
        'event Normal Created',
        TEMPLATE_PATCH,
        'event Normal Updated',
      ],
      problems: [],
      mesh: 2,
    },
    {
      name: 'user Secret without rpcauth: the derived line goes into net-rpcauth, never into the pod spec',
      observed: { network: u, secret: userSecret(alice), pods: [] },
      actions: [
        'create secrets net-rpcauth',
        'event Normal Created',
        'create services net-svc',
        'event Normal Created',
        'create networkpolicies net-netpol',
        'event Normal Created',
        'create poddisruptionbudgets net-pdb',
        'event Normal Created',
        'create statefulsets net-sts',
        'event Normal Created',
      ],
      problems: [],
      mesh: 0,
      check: (plan) => {
        const created = plan.actions[0] as { object: V1Secret };
        expect(created.object.metadata?.ownerReferences).toEqual([
          expect.objectContaining({ kind: 'BitcoinNetwork', uid: 'uid-net', controller: true }),
        ]);
        expect(decoded(created.object, 'rpcauth')).toBe(aliceLine(u));
        const template = plannedTemplate(plan);
        const env = template?.spec?.containers[0].env ?? [];
        expect(env.filter((e) => e.value !== undefined)).toEqual([]);
        expect(env.find((e) => e.name === 'RPC_AUTH')?.valueFrom).toEqual({
          secretKeyRef: { name: 'net-rpcauth', key: 'rpcauth' },
        });
        const [salt, hmac] = aliceLine(u).split(':')[1].split('$');
        expect(JSON.stringify(template)).not.toContain(salt);
        expect(JSON.stringify(template)).not.toContain(hmac);
      },
    },
    {
      name: 'user Secret and net-rpcauth as made: nothing to do',
      observed: {
        network: u,
        secret: userSecret(alice),
        rpcAuthSecret: desiredRpcAuthSecret(u, aliceLine(u)),
        service: service(u),
        statefulSet: userSts(u, aliceLine(u)),
        ...guards(u),
        pods: [ready(0), ready(1)],
      },
      actions: [],
      problems: [],
      mesh: 2,
    },
    {
      name: 'upgrade from the literal rpcauth env value: the line moves to net-rpcauth, the claims stay',
      observed: {
        network: userNet({ storage: { size: '1Gi' } }),
        secret: userSecret(alice),
        service: service(u),
        statefulSet: {
          ...userSts(userNet({ storage: { size: '1Gi' } }), aliceLine(u)),
          metadata: {
            ...userSts(u, aliceLine(u)).metadata,
            annotations: { [ANNOTATION_SPEC_HASH]: 'from-the-literal-env-value' },
          },
        },
        ...guards(u),
        pods: [ready(0), ready(1)],
      },
      actions: [
        'create secrets net-rpcauth',
        'event Normal Created',
        TEMPLATE_PATCH,
        'event Normal Updated',
      ],
      problems: [],
      mesh: 2,
      check: (plan) => {
        // Only the template: volumeClaimTemplates, and so the claims, are left as they are.
        expect(Object.keys(patchOf(plan, 'statefulsets')?.spec ?? {})).toEqual(['template']);
      },
    },
    {
      name: 'user Secret with its own rpcauth changed: net-rpcauth follows and the pods roll',
      observed: {
        network: u,
        secret: userSecret({ ...alice, password: 'looking-glass', rpcauth: 'alice:ee$ff' }),
        rpcAuthSecret: desiredRpcAuthSecret(u, 'alice:aa$bb'),
        service: service(u),
        statefulSet: userSts(u, 'alice:aa$bb'),
        ...guards(u),
        pods: [ready(0), ready(1)],
      },
      actions: [
        `patch secrets net-rpcauth {"data":{"rpcauth":"${b64('alice:ee$ff')}"}}`,
        'event Normal Updated',
        TEMPLATE_PATCH,
        'event Normal Updated',
      ],
      problems: [],
      mesh: 2,
      check: (plan) => expect(plan.credentials?.password).toBe('looking-glass'),
    },
    {
      name: 'net-rpcauth owned by someone else: reported, never written, the StatefulSet left alone',
      observed: {
        network: u,
        secret: userSecret(alice),
        rpcAuthSecret: { ...desiredRpcAuthSecret(u, 'x:y$z'), metadata: { name: 'net-rpcauth' } },
        service: service(u),
        statefulSet: userSts(u, 'x:y$z'),
        ...guards(u),
        pods: [ready(0)],
      },
      actions: [],
      problems: ['ErrResourceExists'],
      mesh: 0,
    },
    {
      name: 'requests above limits, both given: InvalidSpec, and no StatefulSet the API server would refuse',
      observed: { network: limited, pods: [] },
      actions: [],
      problems: ['InvalidSpec'],
      mesh: 0,
      check: (plan) =>
        expect(plan.problems[0].message).toBe(
          'spec.resources.requests.memory (2Gi) must be less than or equal to spec.resources.limits.memory (1Gi)',
        ),
    },
  ])('$name', ({ observed, actions, problems, mesh, made, check }) => {
    let generated = 0;
    const plan = reconcile(observed, {
      newCredentials: () => {
        generated++;
        return made ?? creds;
      },
    });
    expect(summary(plan.actions)).toEqual(actions);
    expect(plan.problems.map((p) => p.reason)).toEqual(problems);
    expect(plan.meshNodes).toHaveLength(mesh);
    const needsNew =
      !observed.secret && !observed.network.spec.rpcSecretName && problems.length === 0;
    expect(generated).toBe(needsNew ? 1 : 0);
    check?.(plan);
  });
});

describe('desired children', () => {
  test('the StatefulSet of a 3-node network', () => {
    expect(desiredStatefulSet(net({ nodes: 3 }), generated())).toMatchSnapshot();
  });

  test('the headless Service', () => {
    expect(desiredService(net())).toMatchSnapshot();
  });

  test('the NetworkPolicy: RPC in from the controller pods only; P2P in and out within the network; DNS out', () => {
    const policy = desiredNetworkPolicy(net());
    expect(policy.metadata?.name).toBe('net-netpol');
    expect(policy.spec).toEqual({
      podSelector: {
        matchLabels: {
          'app.kubernetes.io/name': 'bitcoind',
          'app.kubernetes.io/instance': 'net',
          'app.kubernetes.io/managed-by': 'bitcoin-controller',
          'bitcoin.eksplatform.dev/network': 'net',
        },
      },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: {
                matchLabels: { 'kubernetes.io/metadata.name': 'bitcoin-controller' },
              },
              podSelector: {
                matchLabels: {
                  'app.kubernetes.io/name': 'bitcoin-controller',
                  'app.kubernetes.io/component': 'controller',
                  'app.kubernetes.io/part-of': 'bitcoin-operator',
                },
              },
            },
          ],
          ports: [{ protocol: 'TCP', port: 18443 }],
        },
        {
          from: [{ podSelector: { matchLabels: { 'bitcoin.eksplatform.dev/network': 'net' } } }],
          ports: [{ protocol: 'TCP', port: 18444 }],
        },
      ],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
        {
          to: [{ podSelector: { matchLabels: { 'bitcoin.eksplatform.dev/network': 'net' } } }],
          ports: [{ protocol: 'TCP', port: 18444 }],
        },
      ],
    });
  });

  test('the PodDisruptionBudget: one node down at a time, an unready one always evictable', () => {
    const budget = desiredPodDisruptionBudget(net());
    expect(budget.metadata?.name).toBe('net-pdb');
    expect(budget.spec).toEqual({
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
      selector: {
        matchLabels: desiredStatefulSet(net(), generated()).spec?.selector?.matchLabels,
      },
    });
  });
});

describe('the bitcoind container resources', () => {
  const podSpec = (spec: Partial<BitcoinNetwork['spec']>) =>
    desiredStatefulSet(net({ nodes: 1, ...spec }), generated()).spec?.template.spec;
  const resources = (spec: Partial<BitcoinNetwork['spec']>) =>
    podSpec(spec)?.containers[0].resources;

  test('nothing given: the defaults', () => {
    expect(resources({})).toMatchObject({
      requests: { cpu: '100m', memory: '256Mi' },
      limits: { memory: '1Gi' },
    });
  });

  test('only limits given: the requests equal them, as Kubernetes defaults them', () => {
    expect(resources({ resources: { limits: { memory: '200Mi', cpu: '50m' } } })).toMatchObject({
      requests: { cpu: '50m', memory: '200Mi' },
      limits: { cpu: '50m', memory: '200Mi' },
    });
  });

  test('a request above the default memory limit raises that limit to the request', () => {
    expect(resources({ resources: { requests: { memory: '3Gi' } } })).toMatchObject({
      requests: { cpu: '100m', memory: '3Gi' },
      limits: { memory: '3Gi' },
    });
  });

  test('a request within the default limit keeps it', () => {
    expect(resources({ resources: { requests: { memory: '512Mi' } } })?.limits?.memory).toBe('1Gi');
  });

  test('without spec.storage: /data is an emptyDir of 1Gi, and the container may use it plus 128Mi of log', () => {
    expect(podSpec({})?.volumes).toEqual([{ name: 'data', emptyDir: { sizeLimit: '1Gi' } }]);
    expect(resources({})?.requests?.['ephemeral-storage']).toBe('1152Mi');
    expect(resources({})?.limits?.['ephemeral-storage']).toBe('1152Mi');
  });

  test('with spec.storage: the data is on the claim, the node disk holds only the log', () => {
    const spec = { storage: { size: '10Gi' } };
    expect(podSpec(spec)?.volumes).toEqual([]);
    expect(resources(spec)?.requests?.['ephemeral-storage']).toBe('128Mi');
    expect(resources(spec)?.limits?.['ephemeral-storage']).toBe('128Mi');
  });
});
