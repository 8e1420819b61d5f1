import { context } from '../cdk.json';
import { loadConfig } from './load';
import { AppConfig } from './schema';

/**
 * The configuration outside `cdk synth` (manifest synth, benchmarks, test-plane suites):
 * cdk.json's context, with `overrides` on top as `-c key=value` would put them.
 */
export function loadProjectConfig(overrides: Readonly<Record<string, unknown>> = {}): AppConfig {
  const project: Readonly<Record<string, unknown>> = context;
  return loadConfig((key) => overrides[key] ?? project[key]);
}
