/**
 * The controller's public face: the only part of `controller/` that `k8s/` and `lib/` import.
 * Types, constants and pure functions only.
 */
export * from './cluster-dns';
export * from './network';
export * from './operator';
export * from './quantity';
export * from './kinds';
