import type { AuditEvent } from '../../../tools/testplane/lib/audit';
import { grantsTo, grantUsage } from '../../../tools/testplane/lib/grants';

const USER = 'system:serviceaccount:ops:ctl';
const ACCOUNT = { namespace: 'ops', name: 'ctl' };
const subjects = [{ kind: 'ServiceAccount', name: 'ctl', namespace: 'ops' }];

const clusterWide = [
  {
    kind: 'ClusterRole',
    metadata: { name: 'ctl' },
    rules: [
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
      { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['create'] },
    ],
  },
  {
    kind: 'ClusterRoleBinding',
    metadata: { name: 'ctl' },
    roleRef: { kind: 'ClusterRole', name: 'ctl' },
    subjects,
  },
];
const leases = [
  {
    kind: 'Role',
    metadata: { name: 'ctl', namespace: 'ops' },
    rules: [
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        resourceNames: ['lead'],
        verbs: ['update'],
      },
    ],
  },
  {
    kind: 'RoleBinding',
    metadata: { name: 'ctl', namespace: 'ops' },
    roleRef: { kind: 'Role', name: 'ctl' },
    subjects,
  },
  // Someone else's binding: not the account's grant.
  {
    kind: 'RoleBinding',
    metadata: { name: 'other', namespace: 'ops' },
    roleRef: { kind: 'Role', name: 'ctl' },
    subjects: [{ kind: 'ServiceAccount', name: 'other', namespace: 'ops' }],
  },
];

function event(
  verb: string,
  resource: string,
  options: { group?: string; namespace?: string; name?: string; code?: number; user?: string } = {},
): AuditEvent {
  return {
    verb,
    user: { username: options.user ?? USER },
    objectRef: {
      resource,
      apiGroup: options.group,
      namespace: options.namespace,
      name: options.name,
    },
    responseStatus: { code: options.code ?? 200 },
    requestReceivedTimestamp: '2026-01-01T00:00:00Z',
  };
}

const used = [
  event('list', 'pods'),
  event('watch', 'pods'),
  event('create', 'statefulsets', { group: 'apps', namespace: 'a', code: 201 }),
  event('update', 'leases', { group: 'coordination.k8s.io', namespace: 'ops', name: 'lead' }),
];

describe('grantUsage', () => {
  const grants = grantsTo([...clusterWide, ...leases], ACCOUNT);

  test('reads the grants of the account’s bindings only, with their scope', () => {
    expect(grants.map((g) => [g.by, g.namespace])).toEqual([
      ['ClusterRole ctl', undefined],
      ['Role ops/ctl', 'ops'],
    ]);
  });

  test('finds nothing when every grant is used and every request granted', () => {
    expect(grantUsage(grants, used, USER)).toEqual({ unused: [], missing: [] });
  });

  test('names a grant no request used', () => {
    const usage = grantUsage(grants, used.slice(1), USER);
    expect(usage).toEqual({ unused: ['ClusterRole ctl: list pods'], missing: [] });
  });

  test('names a request no grant covers, and one the apiserver refused', () => {
    const usage = grantUsage(
      grants,
      [
        ...used,
        event('patch', 'statefulsets', { group: 'apps', namespace: 'a', code: 403 }),
        event('update', 'leases', { group: 'coordination.k8s.io', namespace: 'x', name: 'lead' }),
        event('update', 'leases', {
          group: 'coordination.k8s.io',
          namespace: 'ops',
          name: 'other',
        }),
        // Another user's request is not the account's.
        event('delete', 'pods', { namespace: 'a', user: 'admin' }),
      ],
      USER,
    );
    expect(usage.missing).toEqual([
      'patch statefulsets.apps in a: not granted',
      'update leases.coordination.k8s.io in ops: not granted',
      'update leases.coordination.k8s.io in x: not granted',
    ]);
  });

  test('a refused request does not count as using a grant', () => {
    const refused = [...used.slice(1), event('list', 'pods', { code: 403 })];
    expect(grantUsage(grants, refused, USER)).toEqual({
      unused: ['ClusterRole ctl: list pods'],
      missing: ['list pods in all namespaces: refused (403)'],
    });
  });

  test('a 403 of a request that also got through is a restarting apiserver, not a missing grant', () => {
    const restart = [event('list', 'pods', { code: 403 }), ...used];
    expect(grantUsage(grants, restart, USER)).toEqual({ unused: [], missing: [] });
  });
});
