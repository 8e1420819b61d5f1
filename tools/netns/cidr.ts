/** IPv4 CIDRs: parsed with a clear error, and whether one range holds another. */

export interface Cidr {
  /** The network address as an unsigned 32-bit number. */
  readonly network: number;
  readonly prefixLength: number;
  /** As written, e.g. `10.0.0.0/8`. */
  readonly text: string;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `text` as an IPv4 CIDR; `key` names where it came from in the error. */
export function parseCidr(text: string, key: string): Cidr {
  const match = CIDR.exec(text);
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefixLength = match ? Number(match[5]) : NaN;
  if (!match || octets.some((o) => o > 255) || prefixLength > 32) {
    throw new Error(`${key} must be an IPv4 CIDR such as 10.0.0.0/8, got "${text}"`);
  }
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const network = maskTo(address, prefixLength);
  if (network !== address) {
    // `ip route` refuses these too; say which network was meant.
    throw new Error(
      `${key} must be a network address, got "${text}" (host bits set; ` +
        `did you mean ${toDotted(network)}/${prefixLength}?)`,
    );
  }
  return { network, prefixLength, text };
}

/** Whether every address of `inner` is in `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return (
    inner.prefixLength >= outer.prefixLength &&
    maskTo(inner.network, outer.prefixLength) === outer.network
  );
}

function maskTo(address: number, prefixLength: number): number {
  const size = 2 ** (32 - prefixLength);
  return address - (address % size);
}

function toDotted(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');
}
