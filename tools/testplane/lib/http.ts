import * as fs from 'node:fs';
import * as https from 'node:https';

/** TLS material for talking to a component: our CA, plus a client certificate if any. */
export interface TlsClient {
  readonly caCert: string;
  readonly cert?: string;
  readonly key?: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

/** A small HTTPS client so the harness needs no Kubernetes client library. */
export function request(
  url: string,
  tls: TlsClient,
  options: { method?: string; json?: unknown; timeoutMs?: number } = {},
): Promise<HttpResponse> {
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: options.method ?? 'GET',
        ca: fs.readFileSync(tls.caCert),
        cert: tls.cert ? fs.readFileSync(tls.cert) : undefined,
        key: tls.key ? fs.readFileSync(tls.key) : undefined,
        headers: body ? { 'content-type': 'application/json' } : {},
        timeout: options.timeoutMs ?? 5_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url}: timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}
