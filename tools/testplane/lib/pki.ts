import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

/** An identity the apiserver authenticates by client certificate. */
export interface ClientIdentity {
  readonly user: string;
  readonly groups?: readonly string[];
}

export interface Pki {
  readonly caCert: string;
  readonly caKey: string;
  /** One loopback serving certificate shared by every component. */
  readonly serving: KeyPair;
  /** Signs and verifies ServiceAccount tokens. */
  readonly serviceAccountKey: string;
  readonly serviceAccountPublicKey: string;
  client(name: string, identity: ClientIdentity): KeyPair;
}

// Short-lived: a run's certificates never outlive a day of testing.
const DAYS = '2';
// P-256 keys are generated in milliseconds, RSA ones are not.
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(dir: string, args: string[]): void {
  try {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args.slice(0, 2).join(' ')} failed: ${stderr.trim()}`, {
      cause: err,
    });
  }
}

/** Creates a throwaway CA, serving certificate and ServiceAccount keys in `dir`. */
export function createPki(dir: string): Pki {
  fs.mkdirSync(dir, { recursive: true });
  const file = (name: string): string => path.join(dir, name);

  const ca = ['-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=testplane-ca'];
  openssl(dir, ['req', '-x509', ...NEW_KEY, ...ca, '-days', DAYS]);

  const signed = (name: string, subject: string, extensions: string[]): KeyPair => {
    const pair = { cert: file(`${name}.crt`), key: file(`${name}.key`) };
    const signer = ['-CA', 'ca.crt', '-CAkey', 'ca.key'];
    const out = ['-keyout', pair.key, '-out', pair.cert, '-subj', subject, '-days', DAYS];
    const exts = ['basicConstraints=critical,CA:FALSE', ...extensions];
    openssl(dir, [
      'req',
      '-x509',
      ...signer,
      ...NEW_KEY,
      ...out,
      ...exts.flatMap((e) => ['-addext', e]),
    ]);
    return pair;
  };

  // The in-cluster names matter only to clients that use the kubernetes Service; loopback is
  // what everything here dials.
  const serving = signed('serving', '/CN=testplane-serving', [
    'extendedKeyUsage=serverAuth',
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,' +
      'DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local',
  ]);

  const sa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  fs.writeFileSync(file('sa.key'), sa.privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
  });
  fs.writeFileSync(file('sa.pub'), sa.publicKey.export({ type: 'spki', format: 'pem' }));

  return {
    caCert: file('ca.crt'),
    caKey: file('ca.key'),
    serving,
    serviceAccountKey: file('sa.key'),
    serviceAccountPublicKey: file('sa.pub'),
    client: (name, identity) => {
      // Kubernetes maps O= to groups and CN= to the user name.
      const subject =
        (identity.groups ?? []).map((group) => `/O=${group}`).join('') + `/CN=${identity.user}`;
      return signed(name, subject, ['extendedKeyUsage=clientAuth']);
    },
  };
}
