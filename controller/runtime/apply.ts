/**
 * Carries out a plan: child writes, Events, and the status write through the status subresource
 * (only when the status changed, retried on a 409 conflict).
 */
import type { CoreV1Event } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import {
  API_VERSION,
  BitcoinNetwork,
  BitcoinNetworkStatus,
  ChildKind,
  KIND,
  kindOfPlural,
  MANAGED_BY,
  PatchableKind,
} from '../api';
import { isConflict } from '../kube/errors';
import { createObject, KubeApi, patchObject } from '../kube/ports';
import type { Action } from '../reconcile/plan';
import { isStatusCurrent } from '../reconcile/status';

/** Writes core/v1 Events about a network. A failed Event is logged, never fatal. */
export class EventRecorder {
  private seq = 0;

  constructor(
    private readonly api: KubeApi,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
    private readonly instance = process.env.HOSTNAME ?? MANAGED_BY,
  ) {}

  async record(
    network: BitcoinNetwork,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): Promise<void> {
    const ns = network.metadata?.namespace ?? 'default';
    const name = network.metadata?.name ?? '';
    const time = this.now();
    const body: CoreV1Event = {
      metadata: {
        name: `${name}.${time.getTime().toString(16)}${(this.seq++ % 4096).toString(16)}`,
        namespace: ns,
      },
      involvedObject: {
        apiVersion: API_VERSION,
        kind: KIND,
        name,
        namespace: ns,
        uid: network.metadata?.uid,
        resourceVersion: network.metadata?.resourceVersion,
      },
      type,
      reason,
      message,
      count: 1,
      firstTimestamp: time,
      lastTimestamp: time,
      source: { component: MANAGED_BY },
      reportingComponent: MANAGED_BY,
      reportingInstance: this.instance,
    };
    try {
      await this.api.createEvent(ns, body);
    } catch (err) {
      this.logger.warn({ err, reason, network: `${ns}/${name}` }, 'could not record event');
    }
  }
}

/**
 * Carry out child actions in order. Stops at the first failed write and throws it, so an Event
 * that follows a write is recorded only if the write happened.
 */
export async function applyActions(
  api: KubeApi,
  recorder: EventRecorder,
  network: BitcoinNetwork,
  actions: readonly Action[],
  logger: Logger,
): Promise<void> {
  const ns = network.metadata?.namespace ?? '';
  for (const action of actions) {
    switch (action.type) {
      case 'create': {
        const name = action.object.metadata?.name;
        logger.info({ resource: action.resource, name }, 'creating child');
        await createObject(api, kindOfPlural(action.resource) as ChildKind, ns, action.object);
        break;
      }
      case 'patch':
        logger.info({ resource: action.resource, name: action.name }, 'patching child');
        await patchObject(
          api,
          kindOfPlural(action.resource) as PatchableKind,
          action.namespace,
          action.name,
          action.patch,
        );
        break;
      case 'event':
        await recorder.record(network, action.eventType, action.reason, action.message);
        break;
    }
  }
}

/** How many times a status write is tried when it meets 409 conflicts. */
export const STATUS_WRITE_ATTEMPTS = 4;

/**
 * Write `status` through the status subresource if it differs from the network's. On a 409
 * conflict, re-read the network and try again on the fresh resourceVersion, unless its spec
 * generation moved on (then the newer spec's own pass will write status).
 *
 * @returns whether a write happened
 */
export async function writeStatus(
  api: KubeApi,
  network: BitcoinNetwork,
  status: BitcoinNetworkStatus,
): Promise<boolean> {
  let current: BitcoinNetwork = network;
  for (let attempt = 1; ; attempt++) {
    if (isStatusCurrent(current.status, status)) return false;
    const body: BitcoinNetwork = { ...structuredClone(current), status: structuredClone(status) };
    try {
      await api.replaceNetworkStatus(body);
      return true;
    } catch (err) {
      if (!isConflict(err) || attempt >= STATUS_WRITE_ATTEMPTS) throw err;
      const fresh = await api.getNetwork(
        network.metadata?.namespace ?? '',
        network.metadata?.name ?? '',
      );
      if (!fresh || fresh.metadata?.deletionTimestamp) return false;
      if (fresh.metadata?.generation !== network.metadata?.generation) return false;
      current = fresh;
    }
  }
}
