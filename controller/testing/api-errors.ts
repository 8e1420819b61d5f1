/** The errors a kube-apiserver answers with, as the fake API throws them. */
import { ApiError } from '../kube/errors';

export const notFound = (resource: string, name: string) =>
  new ApiError(404, `${resource} "${name}" not found`, 'NotFound');
export const alreadyExists = (resource: string, name: string) =>
  new ApiError(409, `${resource} "${name}" already exists`, 'AlreadyExists');
export const conflict = (resource: string, name: string) =>
  new ApiError(
    409,
    `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified`,
    'Conflict',
  );
export const serverError = (message = 'etcdserver: request timed out') =>
  new ApiError(500, message, 'InternalError');
export const tooManyRequests = (retryAfterSeconds: number) =>
  new ApiError(429, 'the server has received too many requests', 'TooManyRequests', {
    retryAfterSeconds,
  });
