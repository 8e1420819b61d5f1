/** Kubeconfig files for the plane's clients: the admin, each component, ServiceAccounts. */
import * as fs from 'node:fs';
import { KeyPair } from './pki';

/** The kubeconfig `user` entry that authenticates with a client certificate. */
export function certificateUser(pair: KeyPair): Record<string, string> {
  return { 'client-certificate': pair.cert, 'client-key': pair.key };
}

// JSON is valid kubeconfig YAML, which spares a YAML dependency.
export function writeKubeconfig(
  file: string,
  server: string,
  caCert: string,
  user: Record<string, string>,
): void {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'testplane',
        cluster: { server, 'certificate-authority': caCert },
      },
    ],
    users: [{ name: 'user', user }],
    contexts: [{ name: 'testplane', context: { cluster: 'testplane', user: 'user' } }],
    'current-context': 'testplane',
  };
  fs.writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
}
