/** Errors of the Kubernetes API, as the controller's ports report them. */

/** An API error with its HTTP status, the Status reason and the server's Retry-After, if any. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly reason?: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.name = 'ApiError';
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  /** How long the server asked us to wait (429 Too Many Requests, some 5xx). */
  readonly retryAfterSeconds?: number;
}

/** The Retry-After the apiserver sent with `err` or with an error that caused it, in ms. */
export function retryAfterMs(err: unknown): number | undefined {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (e instanceof ApiError && e.retryAfterSeconds !== undefined) {
      return e.retryAfterSeconds * 1000;
    }
  }
  return undefined;
}

export const isNotFound = (err: unknown): boolean =>
  err instanceof ApiError && err.statusCode === 404;

/** 409 Conflict: a stale resourceVersion. */
export const isConflict = (err: unknown): boolean =>
  err instanceof ApiError && err.statusCode === 409 && err.reason !== 'AlreadyExists';

export const isAlreadyExists = (err: unknown): boolean =>
  err instanceof ApiError && err.statusCode === 409 && err.reason === 'AlreadyExists';
