/**
 * The pure decision function, table-driven: observed state in, actions and problems out.
 */
import type { V1Pod, V1Secret, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import { BitcoinNetwork } from '../../../controller/api';
import { RpcCredentials } from '../../../controller/bitcoin/credentials';
import { desiredNetworkPolicy } from '../../../controller/reconcile/desired/network-policy';
import { desiredPodDisruptionBudget } from '../../../controller/reconcile/desired/pod-disruption-budget';
import { desiredSecret } from '../../../controller/reconcile/desired/secret';
import { desiredService } from '../../../controller/reconcile/desired/service';
import { desiredStatefulSet } from '../../../controller/reconcile/desired/stateful-set';
import { podFor } from '../../../controller/testing/objects';
import { Action, Observed } from '../../../controller/reconcile/plan';
import { reconcile } from '../../../controller/reconcile/reconcile';
import { networkObject } from '../fixtures';

const creds: RpcCredentials = { username: 'bitcoin', password: 'pw', rpcauth: 'bitcoin:aa$bb' };
const net = (spec: BitcoinNetwork['spec'] = { nodes: 2 }): BitcoinNetwork => ({
  ...networkObject('net', spec),
  metadata: { name: 'net', namespace: 'default', uid: 'uid-net', generation: 1 },
});
const secret = (n: BitcoinNetwork): V1Secret => desiredSecret(n, creds);
const service = (n: BitcoinNetwork): V1Service => desiredService(n);
const sts = (n: BitcoinNetwork, replicas = n.spec.nodes): V1StatefulSet => {
  const s = desiredStatefulSet(n, { kind: 'secretKey', secretName: 'net-rpc' });
  return { ...s, spec: { ...s.spec!, replicas } };
};
const netpol = (n: BitcoinNetwork) => desiredNetworkPolicy(n);
const pdb = (n: BitcoinNetwork) => desiredPodDisruptionBudget(n);
/** Policy and budget as the controller made them. */
const guards = (n: BitcoinNetwork) => ({ networkPolicy: netpol(n), podDisruptionBudget: pdb(n) });
const ready = (i: number, ok = true): V1Pod => podFor('net', 'default', i, { ready: ok });

/** Actions as short strings. */
function summary(actions: Action[]): string[] {
  return actions.map((a) =>
    a.type === 'create'
      ? `create ${a.resource} ${a.object.metadata?.name}`
      : a.type === 'patch'
        ? `patch ${a.resource} ${a.name} ${JSON.stringify(a.patch)}`
        : `event ${a.eventType} ${a.reason}`,
  );
}

describe('reconcile (pure)', () => {
  const n = net();
  test.each<{
    name: string;
    observed: Observed;
    actions: string[];
    problems: string[];
    mesh: number;
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
  ])('$name', ({ observed, actions, problems, mesh }) => {
    let generated = 0;
    const plan = reconcile(observed, {
      newCredentials: () => {
        generated++;
        return creds;
      },
    });
    expect(summary(plan.actions)).toEqual(actions);
    expect(plan.problems.map((p) => p.reason)).toEqual(problems);
    expect(plan.meshNodes).toHaveLength(mesh);
    expect(generated).toBe(observed.secret || observed.network.spec.rpcSecretName ? 0 : 1);
  });
});

describe('desired children', () => {
  test('the StatefulSet of a 3-node network', () => {
    expect(
      desiredStatefulSet(net({ nodes: 3 }), { kind: 'secretKey', secretName: 'net-rpc' }),
    ).toMatchSnapshot();
  });

  test('the headless Service', () => {
    expect(desiredService(net())).toMatchSnapshot();
  });

  test('the NetworkPolicy: RPC only from the controller pods, P2P only from the same network', () => {
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
      policyTypes: ['Ingress'],
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
    });
  });

  test('the PodDisruptionBudget: one node down at a time, an unready one always evictable', () => {
    const budget = desiredPodDisruptionBudget(net());
    expect(budget.metadata?.name).toBe('net-pdb');
    expect(budget.spec).toEqual({
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
      selector: {
        matchLabels: desiredStatefulSet(net(), { kind: 'secretKey', secretName: 'x' }).spec
          ?.selector?.matchLabels,
      },
    });
  });
});
