// Temporary: test/controlplane/*.ts and bench/e2e.ts still import loadConfig from here. The lead
// points them at config/ when merging the branches, and deletes this file.
export { loadConfig } from '../config';
