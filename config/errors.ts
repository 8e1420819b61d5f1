/** A configuration value that cannot be used. The message is meant for the terminal as is. */
export class ConfigError extends Error {
  constructor(key: string, value: unknown, allowed: string) {
    super(`Invalid config "${key}": got ${JSON.stringify(value)}; expected ${allowed}.`);
    this.name = 'ConfigError';
  }
}
