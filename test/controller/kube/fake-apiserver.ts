/** A small fake Kubernetes API server on 127.0.0.1 for adapter and process tests. */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export interface Request {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType?: string;
  body: unknown;
}

export type Route = (req: Request, res: http.ServerResponse) => boolean;

export class FakeApiServer {
  readonly requests: Request[] = [];
  routes: Route[] = [];
  url = '';
  private readonly waiters: Array<{
    pred: (r: Request) => boolean;
    resolve: (r: Request) => void;
  }> = [];
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const text = Buffer.concat(chunks).toString();
      const r: Request = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        contentType: req.headers['content-type'],
        body: text ? JSON.parse(text) : undefined,
      };
      this.requests.push(r);
      for (const w of [...this.waiters]) {
        if (w.pred(r)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(r);
        }
      }
      if (!this.routes.some((route) => route(r, res))) {
        json(res, 404, status(404, 'NotFound', `${r.path} not found`));
      }
    });
  });

  async start(): Promise<KubeConfig> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${port}`;
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'test-token' }],
      contexts: [{ name: 'c', cluster: 'fake', user: 'u' }],
      currentContext: 'c',
    });
    return kc;
  }

  /** Resolves with the first request (already seen or future) that matches. */
  waitFor(pred: (r: Request) => boolean): Promise<Request> {
    const seen = this.requests.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function json(res: http.ServerResponse, code: number, body: unknown): true {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
  return true;
}

export function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message };
}
