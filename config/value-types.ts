/**
 * The kinds of value a config key can hold. Each reads a context value, either its JSON form
 * (cdk.json) or the string the CLI passes for `-c key=value`, and throws a {@link ConfigError}
 * naming the key, the value and its rule when the value cannot be used.
 */
import { ConfigError } from './errors';
import { NAMESPACE_NAME, NAMESPACE_NAME_RULE, quantityValue } from '../controller/api';

/** Values of the keys read so far, for rules that depend on an earlier key. */
type EarlierValues = Readonly<Record<string, unknown>>;

export interface ValueType<T> {
  /** The kind of value, as the docs name it. */
  readonly kind: string;
  /** What is allowed, in the words of the error message and the docs. */
  readonly rule: string;
  /** The usable value of `raw` (already defaulted), or a ConfigError for `key`. */
  read(key: string, raw: unknown, earlier: EarlierValues): T;
}

/** A string matching `pattern`. */
export function text(pattern: RegExp, rule: string): ValueType<string> {
  return {
    kind: 'string',
    rule,
    read(key, value) {
      if (typeof value !== 'string' || !pattern.test(value))
        throw new ConfigError(key, value, rule);
      return value;
    },
  };
}

/** Like `type`, but unset (or empty on the command line) means undefined. */
export function optional<T>(type: ValueType<T>): ValueType<T | undefined> {
  return {
    kind: type.kind,
    rule: type.rule,
    read: (key, value, earlier) =>
      value === undefined || value === '' ? undefined : type.read(key, value, earlier),
  };
}

/** One of `allowed`; `why` says where the list comes from. */
export function oneOf<T extends string>(allowed: readonly T[], why?: string): ValueType<T> {
  const list = allowed.map((a) => JSON.stringify(a)).join(', ');
  const rule = `one of ${list}${why ? ` (${why})` : ''}`;
  return {
    kind: 'string',
    rule,
    read(key, value) {
      if (!allowed.includes(value as T)) throw new ConfigError(key, value, rule);
      return value as T;
    },
  };
}

/**
 * A whole number from `min` to `max`; `max` may name an earlier key whose value is the bound.
 * `why` explains a bound that is not obvious.
 */
export function integer(min: number, max: number | string, why?: string): ValueType<number> {
  const because = why ? ` (${why})` : '';
  return {
    kind: 'integer',
    rule: `a whole number from ${min} to ${max}${because}`,
    read(key, raw, earlier) {
      const upTo = typeof max === 'number' ? max : (earlier[max] as number);
      const value = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > upTo) {
        throw new ConfigError(key, raw, `a whole number from ${min} to ${upTo}${because}`);
      }
      return value;
    },
  };
}

/** One of the whole numbers `allowed`; `why` says where the list comes from. */
export function integerIn(allowed: readonly number[], why: string): ValueType<number> {
  const rule = `one of ${allowed.join(', ')} (${why})`;
  return {
    kind: 'integer',
    rule,
    read(key, raw) {
      const value = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
      if (typeof value !== 'number' || !allowed.includes(value)) {
        throw new ConfigError(key, raw, rule);
      }
      return value;
    },
  };
}

export function boolean(): ValueType<boolean> {
  return {
    kind: 'boolean',
    rule: 'true or false',
    read(key, value) {
      if (value === true || value === 'true') return true;
      if (value === false || value === 'false') return false;
      throw new ConfigError(key, value, 'true or false');
    },
  };
}

/** The sizes config accepts; the controller's parser reads them as Kubernetes does. */
const QUANTITY = /^[1-9]\d*(Mi|Gi|Ti)$/;
const QUANTITY_RULE = 'a size like "4Gi" (a positive whole number with Mi, Gi or Ti)';

/**
 * A size in Mi, Gi or Ti within `bounds` (whole GiB), which exist for the reason `bounds.why`.
 * Without `minGib`, any positive size (EBS rounds it up to a whole GiB).
 */
export function quantity(bounds: {
  readonly minGib?: number;
  readonly maxGib: number;
  readonly why: string;
}): ValueType<string> {
  const size = text(QUANTITY, QUANTITY_RULE);
  const { minGib, maxGib, why } = bounds;
  const range = `${minGib ? `at least ${minGib}Gi and ` : ''}at most ${maxGib}Gi (${why})`;
  return {
    kind: 'size',
    rule: `${QUANTITY_RULE}, ${range}`,
    read(key, raw, earlier) {
      const value = size.read(key, raw, earlier);
      const bytes = quantityValue(value)!;
      if (bytes < (minGib ?? 0) * 2 ** 30 || bytes > maxGib * 2 ** 30)
        throw new ConfigError(key, value, range);
      return value;
    },
  };
}

/** A list given as a JSON array, or on the command line as comma-separated text. */
export function list(pattern: RegExp, rule: string): ValueType<string[]> {
  return {
    kind: 'list of strings',
    rule: `a list of ${rule}`,
    read(key, raw) {
      const items =
        typeof raw === 'string'
          ? raw
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : raw;
      if (!Array.isArray(items) || !items.every((i) => typeof i === 'string' && pattern.test(i))) {
        throw new ConfigError(key, raw, `a list of ${rule}`);
      }
      return items;
    },
  };
}

/** An IPv4 CIDR whose prefix is from /`minPrefix` to /`maxPrefix`. */
export function cidr(minPrefix: number, maxPrefix: number): ValueType<string> {
  const rule = `an IPv4 CIDR with a prefix from /${minPrefix} to /${maxPrefix}, like "10.0.0.0/16"`;
  return {
    kind: 'string',
    rule,
    read(key, value) {
      if (typeof value !== 'string' || !isCidr(value, minPrefix, maxPrefix)) {
        throw new ConfigError(key, value, rule);
      }
      return value;
    },
  };
}

/** A list of IPv4 CIDRs of any prefix. */
export function cidrList(): ValueType<string[]> {
  const rule = 'IPv4 CIDRs like "203.0.113.0/24"';
  const items = list(/./, rule);
  return {
    kind: items.kind,
    rule: items.rule,
    read(key, raw, earlier) {
      const cidrs = items.read(key, raw, earlier);
      if (!cidrs.every((c) => isCidr(c, 0, 32))) throw new ConfigError(key, raw, items.rule);
      return cidrs;
    },
  };
}

/** True for a well-formed IPv4 CIDR whose prefix is in range and whose host bits are zero. */
function isCidr(value: string, minPrefix: number, maxPrefix: number): boolean {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!match) return false;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix < minPrefix || prefix > maxPrefix) return false;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const hostBits = 2 ** (32 - prefix);
  return address % hostBits === 0;
}

/** A list of distinct namespace names, none of them `reserved` (`why` says why not). */
export function namespaceList(reserved: string, why: string): ValueType<string[]> {
  const rule = `a list of distinct ${NAMESPACE_NAME_RULE}, without "${reserved}" (${why})`;
  const names = list(NAMESPACE_NAME, NAMESPACE_NAME_RULE);
  return {
    kind: names.kind,
    rule,
    read(key, raw, earlier) {
      let items: string[];
      try {
        items = names.read(key, raw, earlier);
      } catch {
        throw new ConfigError(key, raw, rule);
      }
      if (items.includes(reserved) || new Set(items).size !== items.length) {
        throw new ConfigError(key, raw, rule);
      }
      return items;
    },
  };
}
