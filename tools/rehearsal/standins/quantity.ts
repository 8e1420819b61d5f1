/** Kubernetes storage quantities as EBS sees them: whole GiB, rounded up. */

const FACTORS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
};

export function quantityBytes(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)([kMGTP]i?|Ki)?$/.exec(quantity);
  const factor = match ? FACTORS[match[2] ?? ''] : undefined;
  if (!match || factor === undefined) {
    throw new Error(`storage quantity must be a number with a unit like 4Gi, got "${quantity}"`);
  }
  return Number(match[1]) * factor;
}

/** EBS volumes are sized in GiB; a request between two sizes gets the larger one. */
export function ebsSizeGiB(quantity: string): number {
  return Math.max(1, Math.ceil(quantityBytes(quantity) / 2 ** 30));
}
