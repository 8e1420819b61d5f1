/**
 * The bitcoind container's resources: `spec.resources` with defaults where it leaves a value
 * open, and the node disk the container may fill.
 */
import type { V1ResourceRequirements } from '@kubernetes/client-node';
import {
  BitcoinNetwork,
  COMPUTE_RESOURCES,
  CONTAINER_LOG_SIZE,
  DEFAULT_RESOURCES,
  EPHEMERAL_DATA_SIZE,
  quantityValue,
} from '../../api';

const EPHEMERAL_STORAGE = 'ephemeral-storage';
const MIB = 2 ** 20;

/** Whether quantity `a` is larger than `b`; false when either does not parse. */
function larger(a: string | number, b: string | number): boolean {
  const x = quantityValue(a);
  const y = quantityValue(b);
  return x !== undefined && y !== undefined && x > y;
}

/**
 * Node disk the container may fill: its log, and its chain data when that lives in an emptyDir,
 * which the kubelet counts against the pod's ephemeral storage. Requested as much as limited, so
 * that the scheduler sets the disk aside and a full chain evicts its own pod, not its neighbours.
 */
export function ephemeralStorage(network: BitcoinNetwork): string {
  const sizes = network.spec.storage
    ? [CONTAINER_LOG_SIZE]
    : [CONTAINER_LOG_SIZE, EPHEMERAL_DATA_SIZE];
  const bytes = sizes.reduce((sum, size) => sum + (quantityValue(size) ?? 0), 0);
  return `${Math.ceil(bytes / MIB)}Mi`;
}

/**
 * `spec.resources` with the defaults filled in where they cannot contradict it. As Kubernetes
 * defaults a container, a request left out is the limit given for it; a default limit below a
 * request given is raised to that request. Requests above limits given both ways are the user's,
 * and `validateSpec` reports them.
 */
export function resolveResources(network: BitcoinNetwork): V1ResourceRequirements {
  const given = network.spec.resources;
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  for (const name of COMPUTE_RESOURCES) {
    const request = given?.requests?.[name];
    const limit = given?.limits?.[name];
    const defaultLimit = DEFAULT_RESOURCES.limits?.[name];
    const resolvedRequest = request ?? limit ?? DEFAULT_RESOURCES.requests?.[name];
    const resolvedLimit =
      limit ??
      (request !== undefined && defaultLimit !== undefined && larger(request, defaultLimit)
        ? request
        : defaultLimit);
    if (resolvedRequest !== undefined) requests[name] = resolvedRequest;
    if (resolvedLimit !== undefined) limits[name] = resolvedLimit;
  }
  const disk = ephemeralStorage(network);
  return {
    requests: { ...requests, [EPHEMERAL_STORAGE]: disk },
    limits: { ...limits, [EPHEMERAL_STORAGE]: disk },
  };
}
