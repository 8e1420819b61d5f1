import * as path from 'node:path';

/** This checkout's root: tools/ run from it, and resolve its files against it. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
