/** The real LeaseApi of leader election, on @kubernetes/client-node. */
import { CoordinationV1Api, V1Lease, V1MicroTime } from '@kubernetes/client-node';
import { ApiClients, call, orUndefined } from './api-clients';
import type { LeaseApi } from './ports';

/** Lease times go out as MicroTime (RFC 3339 with microseconds), as the apiserver requires. */
function withMicroTimes(lease: V1Lease): V1Lease {
  const micro = (t: unknown) =>
    t === undefined || t === null ? undefined : new V1MicroTime(new Date(t as string | Date));
  if (!lease.spec) return lease;
  return {
    ...lease,
    spec: {
      ...lease.spec,
      acquireTime: micro(lease.spec.acquireTime),
      renewTime: micro(lease.spec.renewTime),
    },
  };
}

/** The Lease calls of leader election. */
export class ClientNodeLeaseApi implements LeaseApi {
  private readonly coordination: CoordinationV1Api;

  constructor(clients: ApiClients) {
    this.coordination = clients.coordination;
  }

  getLease(namespace: string, name: string): Promise<V1Lease | undefined> {
    return orUndefined(() => this.coordination.readNamespacedLease({ namespace, name }));
  }

  createLease(namespace: string, body: V1Lease): Promise<V1Lease> {
    return call(() =>
      this.coordination.createNamespacedLease({ namespace, body: withMicroTimes(body) }),
    );
  }

  replaceLease(namespace: string, name: string, body: V1Lease): Promise<V1Lease> {
    return call(() =>
      this.coordination.replaceNamespacedLease({ namespace, name, body: withMicroTimes(body) }),
    );
  }
}
