/**
 * What RBAC manifests grant a ServiceAccount, compared with the requests it made, as the
 * apiserver's audit log records them: a grant no request used is wider than the code needs; a
 * request no grant covers (or that was only ever refused, 403) is a grant missing.
 */
import type { AuditEvent } from './audit';

export interface PolicyRule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly verbs: readonly string[];
}

/** The rules one binding gives, and where: in `namespace`, or everywhere when undefined. */
export interface Grant {
  /** The role, for reports: `ClusterRole x`, or `Role ns/x`. */
  readonly by: string;
  readonly namespace?: string;
  readonly rules: readonly PolicyRule[];
}

interface Manifest {
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly rules?: readonly PolicyRule[];
  readonly roleRef?: { readonly kind: string; readonly name: string };
  readonly subjects?: readonly { kind: string; name: string; namespace?: string }[];
}

/** The grants `objects` give the ServiceAccount `namespace/name` through their bindings. */
export function grantsTo(
  objects: readonly object[],
  account: { readonly namespace: string; readonly name: string },
): Grant[] {
  const manifests = objects as readonly Manifest[];
  const role = (kind: string, name: string, namespace?: string) =>
    manifests.find(
      (m) => m.kind === kind && m.metadata.name === name && m.metadata.namespace === namespace,
    );
  const bindsAccount = (m: Manifest) =>
    (m.subjects ?? []).some(
      (s) =>
        s.kind === 'ServiceAccount' && s.name === account.name && s.namespace === account.namespace,
    );
  return manifests
    .filter((m) => (m.kind === 'ClusterRoleBinding' || m.kind === 'RoleBinding') && bindsAccount(m))
    .map((binding) => {
      const namespace = binding.kind === 'RoleBinding' ? binding.metadata.namespace : undefined;
      const { kind, name } = binding.roleRef!;
      const roleNamespace = kind === 'Role' ? namespace : undefined;
      const found = role(kind, name, roleNamespace);
      if (!found) throw new Error(`${binding.kind} ${binding.metadata.name}: no ${kind} ${name}`);
      const by = `${kind} ${roleNamespace ? `${roleNamespace}/` : ''}${name}`;
      return { by, namespace, rules: found.rules ?? [] };
    });
}

/** A request as RBAC sees it. */
interface Request {
  readonly verb: string;
  readonly group: string;
  /** `resource` or `resource/subresource`. */
  readonly resource: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly code?: number;
}

function requestOf(e: AuditEvent): Request | undefined {
  const ref = e.objectRef;
  if (!ref?.resource) return undefined;
  return {
    verb: e.verb,
    group: ref.apiGroup ?? '',
    resource: ref.subresource ? `${ref.resource}/${ref.subresource}` : ref.resource,
    namespace: ref.namespace,
    name: ref.name,
    code: e.responseStatus?.code,
  };
}

/** `patch services`, `get bitcoinnetworks.bitcoin.eksplatform.dev`: kubectl's spelling. */
const resourceName = (group: string, resource: string): string => {
  const [base, sub] = resource.split('/');
  return `${base}${group ? `.${group}` : ''}${sub ? `/${sub}` : ''}`;
};

function covers(grant: Grant, rule: PolicyRule, r: Request): boolean {
  return (
    (grant.namespace === undefined || grant.namespace === r.namespace) &&
    (rule.apiGroups ?? []).includes(r.group) &&
    (rule.resources ?? []).includes(r.resource) &&
    rule.verbs.includes(r.verb) &&
    (!rule.resourceNames?.length || (r.name !== undefined && rule.resourceNames.includes(r.name)))
  );
}

export interface GrantUsage {
  /** `<role>: <verb> <resource>[ <name>]` granted but never requested. */
  readonly unused: string[];
  /** `<verb> <resource> in <namespace>: <why>` requested but not granted, or refused. */
  readonly missing: string[];
}

/** Compares `grants` with the resource requests `user` made in `events`. */
export function grantUsage(
  grants: readonly Grant[],
  events: readonly AuditEvent[],
  user: string,
): GrantUsage {
  const nonResource = events.filter((e) => e.user.username === user && !e.objectRef?.resource);
  const requests = events
    .filter((e) => e.user.username === user)
    .map(requestOf)
    .filter((r): r is Request => r !== undefined);
  const missing = new Set<string>(
    nonResource.map((e) => `${e.verb} ${e.requestURI ?? '(no URI)'}: not a resource request`),
  );
  const what = (r: Request) =>
    `${r.verb} ${resourceName(r.group, r.resource)} ${r.namespace ? `in ${r.namespace}` : 'in all namespaces'}`;
  // A restarted apiserver answers 403 for a few seconds, until its RBAC caches have synced: a
  // granted request is refused only if no request of its kind ever got through.
  const allowed = new Set(
    requests.filter((r) => r.code !== 403).map((r) => `${what(r)} ${r.name ?? ''}`),
  );
  for (const r of requests) {
    if (!grants.some((g) => g.rules.some((rule) => covers(g, rule, r)))) {
      missing.add(`${what(r)}: not granted`);
    } else if (r.code === 403 && !allowed.has(`${what(r)} ${r.name ?? ''}`)) {
      missing.add(`${what(r)}: refused (403)`);
    }
  }
  const unused: string[] = [];
  for (const grant of grants) {
    for (const rule of grant.rules) {
      for (const group of rule.apiGroups ?? []) {
        for (const resource of rule.resources ?? []) {
          for (const verb of rule.verbs) {
            const one: PolicyRule = {
              ...rule,
              apiGroups: [group],
              resources: [resource],
              verbs: [verb],
            };
            if (!requests.some((r) => r.code !== 403 && covers(grant, one, r))) {
              const names = rule.resourceNames?.length ? ` ${rule.resourceNames.join(',')}` : '';
              unused.push(`${grant.by}: ${verb} ${resourceName(group, resource)}${names}`);
            }
          }
        }
      }
    }
  }
  return { unused, missing: [...missing].sort() };
}
