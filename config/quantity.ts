/** The sizes config accepts: a positive whole number of Mi, Gi or Ti. */
export const QUANTITY = /^([1-9]\d*)(Mi|Gi|Ti)$/;

const PER_GIB: Readonly<Record<string, number>> = { Mi: 1 / 1024, Gi: 1, Ti: 1024 };

/** A Kubernetes quantity in Mi, Gi or Ti, converted to GiB; NaN for anything else. */
export function gibibytes(quantity: string): number {
  const [, amount, unit] = QUANTITY.exec(quantity) ?? [];
  return Number(amount) * PER_GIB[unit];
}
