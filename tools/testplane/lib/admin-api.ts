/**
 * The plane's API as its admin, over HTTPS, without spawning kubectl: a kubectl process costs a
 * tenth of a CPU second before it sends a request, and the stand-ins and pollers ask several times
 * a second. A few kept-alive connections serve every request.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as tls from 'node:tls';
import type { HttpResponse } from './http';

/** The parts of a kubeconfig written by ./kubeconfig.ts that a client certificate needs. */
interface CertificateKubeconfig {
  clusters: { cluster: { server: string; 'certificate-authority': string } }[];
  users: { user: { 'client-certificate'?: string; 'client-key'?: string } }[];
}

/** One kind's objects in every namespace: its kind, and the path that lists them. */
export interface Collection {
  readonly kind: string;
  readonly path: string;
}

const TIMEOUT_MS = 5_000;
// A listing of every kind asks for about 50 lists at once. Each new connection is a TLS handshake,
// for this process and for the apiserver; a few connections, each reused, cost far less.
const MAX_SOCKETS = 4;

/** The path of an API version's resources: `/api/v1` for the core group, `/apis/<group>/<v>`. */
export const apiRoot = (apiVersion: string): string =>
  apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;

/** The group of an `apiVersion`: empty for the core group. */
export const groupOf = (apiVersion: string): string =>
  apiVersion.includes('/') ? apiVersion.split('/')[0] : '';

/** The apiVersion of a collection's path: `v1` for `/api/v1/...`, `apps/v1` for `/apis/apps/v1/...`. */
export function apiVersionOfPath(path: string): string {
  const [, root, first, second] = path.split('/');
  return root === 'api' ? first : `${first}/${second}`;
}

const clients = new Map<string, AdminApi>();

/** The one client of a kubeconfig in this process, so that its connections outlive each caller. */
export function adminApiOf(kubeconfig: string): AdminApi {
  let api = clients.get(kubeconfig);
  if (!api) {
    api = new AdminApi(kubeconfig);
    clients.set(kubeconfig, api);
  }
  return api;
}

export class AdminApi {
  private readonly server: string;
  private readonly agent: https.Agent;
  private readonly watchAgent: https.Agent;

  /** `kubeconfig`: a plane's admin kubeconfig, which authenticates by client certificate. */
  constructor(kubeconfig: string) {
    const config = JSON.parse(fs.readFileSync(kubeconfig, 'utf8')) as CertificateKubeconfig;
    const { cluster } = config.clusters[0];
    const { user } = config.users[0];
    if (!user['client-certificate'] || !user['client-key']) {
      throw new Error(`${kubeconfig}: the admin API needs a client certificate and key`);
    }
    this.server = cluster.server;
    // Parsed once: given the PEM files instead, Node parses them again for every connection.
    const secureContext = tls.createSecureContext({
      ca: fs.readFileSync(cluster['certificate-authority']),
      cert: fs.readFileSync(user['client-certificate']),
      key: fs.readFileSync(user['client-key']),
    });
    // Free keep-alive sockets are unreferenced, so an idle client keeps no process alive.
    this.agent = new https.Agent({ secureContext, keepAlive: true, maxSockets: MAX_SOCKETS });
    // A watch holds its connection for as long as it runs: not one of the pool's.
    this.watchAgent = new https.Agent({ secureContext });
  }

  /** `accept`: another representation, such as aggregated discovery. @default JSON */
  async get<T>(urlPath: string, accept?: string): Promise<T> {
    const headers: Record<string, string> = accept === undefined ? {} : { accept };
    const res = await this.call('GET', urlPath, undefined, headers);
    if (res.status !== 200) throw new Error(`GET ${urlPath}: ${res.status} ${res.body}`);
    return JSON.parse(res.body) as T;
  }

  /**
   * A collection's items, each with the apiVersion and kind a list leaves out of them (kubectl
   * fills them in), so that they read as the objects themselves. `query` narrows the list.
   */
  async items<T>({ kind, path }: Collection, query = ''): Promise<T[]> {
    const apiVersion = apiVersionOfPath(path);
    const { items } = await this.get<{ items: object[] }>(`${path}${query}`);
    return items.map((item) => ({ ...item, apiVersion, kind }) as T);
  }

  /** Each collection's {@link items} together, as `kubectl get a,b -A -o json` lists them. */
  async listAll<T>(collections: readonly Collection[]): Promise<T[]> {
    return (await Promise.all(collections.map((c) => this.items<T>(c)))).flat();
  }

  /** Any other request; resolves with the status and body, whatever the status. */
  send(method: string, urlPath: string, json?: unknown): Promise<HttpResponse> {
    if (json === undefined) return this.call(method, urlPath, undefined, {});
    return this.call(method, urlPath, JSON.stringify(json), { 'content-type': 'application/json' });
  }

  /**
   * A write that must succeed (2xx), or find nothing there when `missingOk` (404, as kubectl's
   * `--ignore-not-found`); anything else fails naming the method, path and status.
   */
  async write(
    method: string,
    urlPath: string,
    json?: unknown,
    options: { missingOk?: boolean } = {},
  ): Promise<void> {
    const res = await this.send(method, urlPath, json);
    if (res.status < 300 || (options.missingOk && res.status === 404)) return;
    throw new Error(`${method} ${urlPath}: ${res.status} ${res.body}`);
  }

  /** A JSON merge patch that must succeed; fails naming the path and the status. */
  async patch(urlPath: string, patch: unknown): Promise<void> {
    const status = await this.mergePatch(urlPath, patch);
    if (status !== 200) throw new Error(`PATCH ${urlPath}: HTTP ${status}`);
  }

  /** A JSON merge patch; resolves with the HTTP status. */
  async mergePatch(urlPath: string, patch: unknown): Promise<number> {
    const body = JSON.stringify(patch);
    const headers = { 'content-type': 'application/merge-patch+json' };
    return (await this.call('PATCH', urlPath, body, headers)).status;
  }

  /**
   * Streams a watch (`urlPath` with `watch=true`): `onEvent` gets each event as it arrives,
   * `onEnd` once when the stream ends or fails. Returns what stops it.
   */
  watch(
    urlPath: string,
    onEvent: (event: { type: string; object: unknown }) => void,
    onEnd: (err?: Error) => void,
  ): () => void {
    let pending = '';
    let ended = false;
    const end = (err?: Error) => {
      if (!ended) onEnd(err);
      ended = true;
    };
    const req = https.request(`${this.server}${urlPath}`, { agent: this.watchAgent }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        end(new Error(`watch ${urlPath}: HTTP ${res.statusCode}`));
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const lines = (pending + chunk).split('\n');
        pending = lines.pop()!;
        for (const line of lines) if (line.trim() !== '') onEvent(JSON.parse(line));
      });
      res.on('end', () => end());
      res.on('error', end);
    });
    req.on('error', end);
    req.end();
    return () => {
      ended = true;
      req.destroy();
    };
  }

  private call(
    method: string,
    urlPath: string,
    body: string | undefined,
    headers: Record<string, string>,
  ): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        `${this.server}${urlPath}`,
        {
          method,
          agent: this.agent,
          headers,
          timeout: TIMEOUT_MS,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: timed out`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}
