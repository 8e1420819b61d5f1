/**
 * Structured JSON logs. Credentials are never passed to the logger; the redaction paths are a
 * second line of defence should one slip into a log object.
 */
import pino, { DestinationStream, Logger } from 'pino';
import { CONTROLLER_NAME } from '../api';

export const REDACT_PATHS = [
  'password',
  '*.password',
  'credentials',
  '*.credentials',
  'creds',
  '*.creds',
  'endpoint.password',
  'rpcauth',
  '*.rpcauth',
  'headers.authorization',
  '*.headers.authorization',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { component: CONTROLLER_NAME },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}
