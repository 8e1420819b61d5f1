/**
 * The real KubeApi on @kubernetes/client-node 1.x (object-style parameters, merge patches through
 * a Content-Type header option). The calls on child kinds are made from the kinds table.
 */
import { BitcoinNetwork, GROUP, KIND_NAMES, PLURAL, VERSION } from '../api';
import { ApiClients, call, mergePatch, orUndefined } from './api-clients';
import { kindCalls } from './kinds';
import { modelConversion } from './network-policy-wire';
import type { KubeApi } from './ports';

export function clientNodeKubeApi(clients: ApiClients): KubeApi {
  const custom = clients.custom;
  const api: Record<string, unknown> = {
    getNetwork: (namespace: string, name: string) =>
      orUndefined(
        () =>
          custom.getNamespacedCustomObject({
            group: GROUP,
            version: VERSION,
            plural: PLURAL,
            namespace,
            name,
          }) as Promise<BitcoinNetwork>,
      ),
    replaceNetworkStatus: (network: BitcoinNetwork) =>
      call(
        () =>
          custom.replaceNamespacedCustomObjectStatus({
            group: GROUP,
            version: VERSION,
            plural: PLURAL,
            namespace: network.metadata?.namespace ?? '',
            name: network.metadata?.name ?? '',
            body: network,
          }) as Promise<BitcoinNetwork>,
      ),
  };
  for (const kind of KIND_NAMES) {
    const { toModel, toWire } = modelConversion(kind);
    for (const { method, verb } of kindCalls(kind)) {
      switch (verb) {
        case 'get': {
          const read = clients.method(kind, `readNamespaced${kind}`);
          api[method] = async (namespace: string, name: string) =>
            toWire(await orUndefined(() => read({ namespace, name })));
          break;
        }
        case 'create': {
          const create = clients.method(kind, `createNamespaced${kind}`);
          api[method] = async (namespace: string, body: unknown) =>
            toWire(await call(() => create({ namespace, body: toModel(body) })));
          break;
        }
        case 'patch': {
          const patch = clients.method(kind, `patchNamespaced${kind}`);
          api[method] = async (namespace: string, name: string, body: object) =>
            toWire(await call(() => patch({ namespace, name, body }, mergePatch())));
          break;
        }
      }
    }
  }
  return api as unknown as KubeApi;
}
