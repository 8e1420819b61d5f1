/**
 * A change feed for a stand-in's loop: one watch per collection it lists, and any event on one
 * of them is a change. A watch that ends (the apiserver restarted, or timed it out) starts again a
 * second later; the loop's own rounds cover what happened in between.
 */
import type { AdminApi, Collection } from '../../testplane/lib/admin-api';
import type { ChangeFeed } from './poll-loop';

const REWATCH_MS = 1_000;

export function collectionChanges(api: AdminApi, collections: readonly Collection[]): ChangeFeed {
  return (onChange) => {
    let stopped = false;
    const watches = new Map<string, () => void>();
    const retries = new Set<NodeJS.Timeout>();
    const watch = (path: string) => {
      const stop = api.watch(`${path}?watch=true`, onChange, () => {
        if (stopped) return;
        const retry = setTimeout(() => {
          retries.delete(retry);
          if (!stopped) watch(path);
        }, REWATCH_MS);
        retries.add(retry);
      });
      watches.set(path, stop);
    };
    for (const { path } of collections) watch(path);
    return () => {
      stopped = true;
      for (const stop of watches.values()) stop();
      for (const retry of retries) clearTimeout(retry);
    };
  };
}
