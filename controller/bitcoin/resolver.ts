/**
 * "How do I reach pod X's RPC port": in the cluster, the pod IP; in tests, whatever a map file
 * says (for example a loopback port-forward per pod).
 */
import * as fs from 'node:fs';
import { RPC_PORT } from '../api';

export interface PodRef {
  readonly namespace: string;
  readonly name: string;
  /** status.podIP */
  readonly ip: string;
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface AddressResolver {
  resolve(pod: PodRef): HostPort;
}

/** The pod IP and the regtest RPC port: right when the controller runs in the cluster. */
export class PodIpResolver implements AddressResolver {
  resolve(pod: PodRef): HostPort {
    return { host: pod.ip, port: RPC_PORT };
  }
}

/**
 * Resolves nothing: the fallback of a strict map file, so that a pod the map does not list yet
 * is an RPC error for this pass (retried with backoff) rather than a connection to its pod IP.
 */
export class UnmappedPodResolver implements AddressResolver {
  constructor(private readonly file: string) {}

  resolve(pod: PodRef): HostPort {
    throw new Error(
      `pod ${pod.namespace}/${pod.name} has no entry in the RPC address map ${this.file}`,
    );
  }
}

/** Parse `host:port` or `[v6]:port`; the error names the entry. */
function parseHostPort(value: string, where: string): HostPort {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) {
    throw new Error(`${where}: expected "host:port", got ${JSON.stringify(value)}`);
  }
  return { host: m[1] ?? m[2], port };
}

/** Parse a map file's JSON: `{ "<namespace>/<pod>": "host:port", "<pod>": "host:port" }`. */
export function parseAddressMap(text: string, file: string): Map<string, HostPort> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new Error(`${file}: not valid JSON`, { cause });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`${file}: expected a JSON object of "namespace/pod": "host:port"`);
  }
  const out = new Map<string, HostPort>();
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') {
      throw new Error(`${file}: entry ${JSON.stringify(key)} must be a "host:port" string`);
    }
    out.set(key, parseHostPort(value, `${file}: entry ${JSON.stringify(key)}`));
  }
  return out;
}

/**
 * Looks pods up in a JSON map file, by `namespace/pod` first, then by `pod`; pods not listed fall
 * back to another resolver. The file is re-read when its modification time changes, so a test can
 * add entries while the controller runs. A file that cannot be read or parsed keeps the last good
 * map and reports the error through `onError`.
 */
export class MapFileResolver implements AddressResolver {
  private map = new Map<string, HostPort>();
  private mtimeMs = -1;

  constructor(
    private readonly file: string,
    private readonly fallback: AddressResolver = new PodIpResolver(),
    private readonly onError: (err: Error) => void = () => {},
  ) {
    this.reload(true);
  }

  resolve(pod: PodRef): HostPort {
    this.reload(false);
    return (
      this.map.get(`${pod.namespace}/${pod.name}`) ??
      this.map.get(pod.name) ??
      this.fallback.resolve(pod)
    );
  }

  private reload(strict: boolean): void {
    try {
      const stat = fs.statSync(this.file);
      if (stat.mtimeMs === this.mtimeMs) return;
      this.map = parseAddressMap(fs.readFileSync(this.file, 'utf8'), this.file);
      this.mtimeMs = stat.mtimeMs;
    } catch (err) {
      if (strict) throw err;
      this.onError(err as Error);
    }
  }
}
