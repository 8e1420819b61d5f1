/** Who each component is to the apiserver: the user and groups of its client certificate. */
import { ClientIdentity } from './pki';

export const ADMIN: ClientIdentity = { user: 'kubernetes-admin', groups: ['system:masters'] };
// The kube-controller-manager and kube-scheduler names have bootstrap RBAC roles.
export const CONTROLLER_MANAGER: ClientIdentity = { user: 'system:kube-controller-manager' };
export const SCHEDULER: ClientIdentity = { user: 'system:kube-scheduler' };
// kwok plays every kubelet; it writes node, lease and pod status, so it gets full rights.
export const KWOK: ClientIdentity = { user: 'kwok', groups: ['system:masters'] };
