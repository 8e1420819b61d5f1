import { ConfigError } from './errors';
import { AppConfig, CONFIG_SCHEMA, CROSS_KEY_RULES, Setting } from './schema';

/** Reads one context key; returns undefined when unset. */
export type ContextReader = (key: string) => unknown;

/**
 * The whole configuration from context, typed, defaulted and checked against
 * {@link CONFIG_SCHEMA}: keys in schema order, then the rules between keys. The first value that
 * cannot be used throws a {@link ConfigError}.
 */
export function loadConfig(read: ContextReader): AppConfig {
  const earlier: Record<string, unknown> = {};
  const sections = Object.entries(CONFIG_SCHEMA).map(([section, settings]) => {
    const values = Object.entries(settings).map(([key, spec]: [string, Setting<unknown>]) => {
      earlier[key] = spec.type.read(key, read(key) ?? spec.default, earlier);
      return [key, earlier[key]];
    });
    return [section, Object.fromEntries(values)];
  });
  const config = Object.fromEntries(sections) as AppConfig;
  for (const rule of CROSS_KEY_RULES) {
    if (!rule.holds(config))
      throw new ConfigError(rule.key, earlier[rule.key], rule.allowed(config));
  }
  return config;
}
