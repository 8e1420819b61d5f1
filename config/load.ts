import { ConfigError } from './errors';
import { AppConfig, CONFIG_SCHEMA, Setting, crossKeyRulesOf } from './schema';

/** Reads one context key; returns undefined when unset. */
export type ContextReader = (key: string) => unknown;

/**
 * The whole configuration from context, typed, defaulted and checked against
 * {@link CONFIG_SCHEMA}: section by section, each key in schema order and then the rules between
 * the section's keys. The first value that cannot be used throws a {@link ConfigError}.
 */
export function loadConfig(read: ContextReader): AppConfig {
  const earlier: Record<string, unknown> = {};
  const sections = Object.entries(CONFIG_SCHEMA).map(([section, settings]) => {
    for (const [key, spec] of Object.entries<Setting<unknown>>(settings)) {
      earlier[key] = spec.type.read(key, read(key) ?? spec.default, earlier);
    }
    const values = Object.fromEntries(Object.keys(settings).map((key) => [key, earlier[key]]));
    for (const rule of crossKeyRulesOf(section)) {
      if (!rule.holds(values)) {
        throw new ConfigError(rule.key, earlier[rule.key], rule.allowed(values));
      }
    }
    return [section, values];
  });
  return Object.fromEntries(sections) as AppConfig;
}
