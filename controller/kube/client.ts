/**
 * The real KubeApi on @kubernetes/client-node 1.x (object-style parameters, merge patches through
 * a Content-Type header option).
 */
import type {
  AppsV1Api,
  CoreV1Api,
  CoreV1Event,
  CustomObjectsApi,
  NetworkingV1Api,
  PolicyV1Api,
  V1PodDisruptionBudget,
  V1Secret,
  V1Service,
  V1StatefulSet,
} from '@kubernetes/client-node';
import { BitcoinNetwork, GROUP, PLURAL, VERSION } from '../api';
import { ApiClients, call, mergePatch, orUndefined } from './api-clients';
import type { NetworkPolicy } from './cached';
import { toModelNetworkPolicy, toWireNetworkPolicy } from './network-policy-wire';
import type { KubeApi } from './ports';

export class ClientNodeKubeApi implements KubeApi {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly networking: NetworkingV1Api;
  private readonly policy: PolicyV1Api;

  constructor(clients: ApiClients) {
    ({
      core: this.core,
      apps: this.apps,
      custom: this.custom,
      networking: this.networking,
      policy: this.policy,
    } = clients);
  }

  getNetwork(namespace: string, name: string): Promise<BitcoinNetwork | undefined> {
    return orUndefined(
      () =>
        this.custom.getNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          plural: PLURAL,
          namespace,
          name,
        }) as Promise<BitcoinNetwork>,
    );
  }

  replaceNetworkStatus(network: BitcoinNetwork): Promise<BitcoinNetwork> {
    return call(
      () =>
        this.custom.replaceNamespacedCustomObjectStatus({
          group: GROUP,
          version: VERSION,
          plural: PLURAL,
          namespace: network.metadata?.namespace ?? '',
          name: network.metadata?.name ?? '',
          body: network,
        }) as Promise<BitcoinNetwork>,
    );
  }

  getSecret(namespace: string, name: string): Promise<V1Secret | undefined> {
    return orUndefined(() => this.core.readNamespacedSecret({ namespace, name }));
  }

  createSecret(namespace: string, body: V1Secret): Promise<V1Secret> {
    return call(() => this.core.createNamespacedSecret({ namespace, body }));
  }

  getService(namespace: string, name: string): Promise<V1Service | undefined> {
    return orUndefined(() => this.core.readNamespacedService({ namespace, name }));
  }

  createService(namespace: string, body: V1Service): Promise<V1Service> {
    return call(() => this.core.createNamespacedService({ namespace, body }));
  }

  patchService(namespace: string, name: string, patch: object): Promise<V1Service> {
    return call(() =>
      this.core.patchNamespacedService({ namespace, name, body: patch }, mergePatch()),
    );
  }

  getStatefulSet(namespace: string, name: string): Promise<V1StatefulSet | undefined> {
    return orUndefined(() => this.apps.readNamespacedStatefulSet({ namespace, name }));
  }

  createStatefulSet(namespace: string, body: V1StatefulSet): Promise<V1StatefulSet> {
    return call(() => this.apps.createNamespacedStatefulSet({ namespace, body }));
  }

  patchStatefulSet(namespace: string, name: string, patch: object): Promise<V1StatefulSet> {
    return call(() =>
      this.apps.patchNamespacedStatefulSet({ namespace, name, body: patch }, mergePatch()),
    );
  }

  async getNetworkPolicy(namespace: string, name: string): Promise<NetworkPolicy | undefined> {
    return toWireNetworkPolicy(
      await orUndefined(() => this.networking.readNamespacedNetworkPolicy({ namespace, name })),
    ) as NetworkPolicy | undefined;
  }

  async createNetworkPolicy(namespace: string, body: NetworkPolicy): Promise<NetworkPolicy> {
    return toWireNetworkPolicy(
      await call(() =>
        this.networking.createNamespacedNetworkPolicy({
          namespace,
          body: toModelNetworkPolicy(body),
        }),
      ),
    ) as NetworkPolicy;
  }

  async patchNetworkPolicy(namespace: string, name: string, patch: object): Promise<NetworkPolicy> {
    // A patch body goes out as plain JSON: it keeps the wire name `from`.
    return toWireNetworkPolicy(
      await call(() =>
        this.networking.patchNamespacedNetworkPolicy(
          { namespace, name, body: patch },
          mergePatch(),
        ),
      ),
    ) as NetworkPolicy;
  }

  getPodDisruptionBudget(
    namespace: string,
    name: string,
  ): Promise<V1PodDisruptionBudget | undefined> {
    return orUndefined(() => this.policy.readNamespacedPodDisruptionBudget({ namespace, name }));
  }

  createPodDisruptionBudget(
    namespace: string,
    body: V1PodDisruptionBudget,
  ): Promise<V1PodDisruptionBudget> {
    return call(() => this.policy.createNamespacedPodDisruptionBudget({ namespace, body }));
  }

  patchPodDisruptionBudget(
    namespace: string,
    name: string,
    patch: object,
  ): Promise<V1PodDisruptionBudget> {
    return call(() =>
      this.policy.patchNamespacedPodDisruptionBudget(
        { namespace, name, body: patch },
        mergePatch(),
      ),
    );
  }

  async createEvent(namespace: string, body: CoreV1Event): Promise<void> {
    await call(() => this.core.createNamespacedEvent({ namespace, body }));
  }
}
