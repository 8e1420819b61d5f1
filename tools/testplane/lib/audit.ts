/** The apiserver's audit log: the policy it is written with, its events, and reading it back. */
import * as fs from 'node:fs';

/** One apiserver audit event, as much of it as tests need. */
export interface AuditEvent {
  readonly verb: string;
  readonly user: { readonly username: string; readonly groups?: string[] };
  readonly objectRef?: {
    readonly resource?: string;
    readonly namespace?: string;
    readonly name?: string;
    readonly subresource?: string;
    readonly apiGroup?: string;
  };
  readonly responseStatus?: { readonly code?: number };
  /** The path and query, e.g. `/api/v1/pods?watch=true`. */
  readonly requestURI?: string;
  readonly requestReceivedTimestamp: string;
}

export const WRITE_VERBS: ReadonlySet<string> = new Set([
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
]);

export const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
# One event per request, written when the response is complete.
omitStages: [RequestReceived, ResponseStarted]
rules:
  - level: Metadata
`;

/** The events of a JSON-lines audit log, oldest first. */
export function readAuditLog(file: string): AuditEvent[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as AuditEvent);
}
