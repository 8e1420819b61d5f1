/** A claim's storage request as EBS sizes its volume. */
import { quantityValue } from '../../../controller/api/quantity';

/** Whole GiB, rounded up (a request between two sizes gets the larger one), at least 1. */
export function ebsSizeGiB(quantity: string): number {
  const bytes = quantityValue(quantity);
  if (bytes === undefined || bytes <= 0) {
    throw new Error(`storage quantity must be a number with a unit like 4Gi, got "${quantity}"`);
  }
  return Math.max(1, Math.ceil(bytes / 2 ** 30));
}
