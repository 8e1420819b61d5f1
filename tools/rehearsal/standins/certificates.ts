/**
 * Serving certificates for the stand-ins (chart repository, webhooks), signed by the rehearsal's
 * CA, so that helm and the apiserver verify them as they would real ones.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KeyPair } from '../../testplane/lib/pki';

/** PEM files of a CA; the plane's Pki has this shape. */
export interface CertificateAuthority {
  readonly caCert: string;
  readonly caKey: string;
}

/** Issues a serverAuth certificate for `dnsNames` and `ips` into `dir` as `<name>.crt/.key`. */
export function issueServingCertificate(
  ca: CertificateAuthority,
  dir: string,
  name: string,
  subjectAltNames: { readonly dnsNames?: readonly string[]; readonly ips?: readonly string[] },
): KeyPair {
  const sans = [
    ...(subjectAltNames.dnsNames ?? []).map((n) => `DNS:${n}`),
    ...(subjectAltNames.ips ?? []).map((ip) => `IP:${ip}`),
  ];
  if (sans.length === 0) throw new Error(`certificate ${name} needs at least one DNS name or IP`);
  fs.mkdirSync(dir, { recursive: true });
  const pair = { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
  const args = [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-CA',
    ca.caCert,
    '-CAkey',
    ca.caKey,
    '-keyout',
    pair.key,
    '-out',
    pair.cert,
    '-subj',
    `/CN=${name}`,
    '-days',
    '2',
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    '-addext',
    'extendedKeyUsage=serverAuth',
    '-addext',
    `subjectAltName=${sans.join(',')}`,
  ];
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim() ?? '';
    throw new Error(`openssl could not issue certificate ${name}: ${stderr}`, { cause: err });
  }
  return pair;
}

/** The CA certificate as the base64 a caBundle field holds. */
export function caBundle(ca: CertificateAuthority): string {
  return fs.readFileSync(ca.caCert).toString('base64');
}
