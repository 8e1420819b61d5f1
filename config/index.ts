/**
 * The project's configuration: the schema of `cdk.json` context, the types derived from it and
 * the loader that checks a context against it.
 */
export { ConfigError } from './errors';
export {
  EndpointMode,
  HDD_MIN_GIB,
  SUPPORTED_KUBERNETES_VERSIONS,
  ThroughputVolume,
} from './enums';
export { type ContextReader, loadConfig } from './load';
export { gibibytes } from './quantity';
export {
  type AppConfig,
  type ConfigKey,
  type InfraConfig,
  type OperatorConfig,
  type PlatformConfig,
  CONFIG_SCHEMA,
  CROSS_KEY_RULES,
} from './schema';
