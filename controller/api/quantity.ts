/** Kubernetes resource quantities (`500m`, `1Gi`, `1e3`), as the apiserver reads them. */

const QUANTITY_SUFFIX: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/**
 * A Kubernetes quantity in base units, or undefined if it does not parse. A number is taken as
 * it is: int-or-string fields may hold one.
 */
export function quantityValue(q: string | number): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  const m = /^([+-]?\d+(?:\.\d+)?)(?:([eE][+-]?\d+)|([a-zA-Z]*))$/.exec(q.trim());
  if (!m) return undefined;
  if (m[2]) return Number(`${m[1]}${m[2]}`);
  const factor = QUANTITY_SUFFIX[m[3] ?? ''];
  return factor === undefined ? undefined : Number(m[1]) * factor;
}
