/**
 * The project's configuration: the schema of `cdk.json` context, the types derived from it and
 * the loader that checks a context against it.
 */
export { ConfigError } from './errors';
export { EndpointMode, SupportType, ThroughputVolume } from './enums';
export {
  DEFAULT_KUBERNETES_MINOR,
  KUBERNETES_MINORS,
  type KubernetesMinor,
  SUPPORTED_KUBERNETES_MINORS,
} from './kubernetes-minors';
export { type ContextReader, loadConfig } from './load';
export { loadProjectConfig } from './project';
export {
  type AppConfig,
  type InfraConfig,
  type OperatorConfig,
  type PlatformConfig,
  CONFIG_SCHEMA,
} from './schema';
