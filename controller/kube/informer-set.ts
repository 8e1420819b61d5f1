/**
 * One kind's informers over several namespaces, read as one cache: a controller limited to a
 * list of namespaces lists and watches each of them on its own (RBAC then needs grants in those
 * namespaces only), and its listers and lifecycle see a single informer per kind.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { InformerHealth, ResilientInformer } from './informer';

/** What the controller reads and drives of an informer: its cache, start, stop and health. */
export interface CachingInformer<T extends KubernetesObject> {
  start(): Promise<void>;
  stop(): Promise<void>;
  hasSynced(): boolean;
  whenSynced(): Promise<void>;
  health(): InformerHealth;
  get(name: string, namespace?: string): T | undefined;
  list(namespace?: string): ReadonlyArray<T>;
}

export class InformerSet<T extends KubernetesObject> implements CachingInformer<T> {
  constructor(private readonly byNamespace: ReadonlyMap<string, ResilientInformer<T>>) {}

  async start(): Promise<void> {
    await Promise.all(this.all().map((i) => i.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((i) => i.stop()));
  }

  hasSynced(): boolean {
    return this.all().every((i) => i.hasSynced());
  }

  async whenSynced(): Promise<void> {
    await Promise.all(this.all().map((i) => i.whenSynced()));
  }

  /** The first stuck namespace's reason, if any is stuck. */
  health(): InformerHealth {
    return (
      this.all()
        .map((i) => i.health())
        .find((h) => !h.ok) ?? { ok: true }
    );
  }

  get(name: string, namespace?: string): T | undefined {
    return namespace === undefined
      ? undefined
      : this.byNamespace.get(namespace)?.get(name, namespace);
  }

  /** The objects of `namespace`, or of every watched namespace; none of an unwatched one. */
  list(namespace?: string): ReadonlyArray<T> {
    if (namespace !== undefined) return this.byNamespace.get(namespace)?.list(namespace) ?? [];
    return this.all().flatMap((i) => i.list());
  }

  private all(): ResilientInformer<T>[] {
    return [...this.byNamespace.values()];
  }
}
