import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** What a custom-resource handler PUT to the response URL. */
export interface CfnAnswer {
  readonly contentType: string | undefined;
  readonly body: {
    Status: string;
    Reason: string;
    PhysicalResourceId: string;
    RequestId: string;
    StackId: string;
    LogicalResourceId: string;
    Data?: Record<string, string>;
  };
}

export interface CfnResponseUrl {
  /** The URL to put in an event's ResponseURL. */
  url(): string;
  /** The answers received since the test began. */
  readonly answers: CfnAnswer[];
}

/**
 * A stand-in for CloudFormation's pre-signed response URL, on loopback, for the handler tests of
 * one file: it starts before them, forgets its answers before each and stops after them.
 */
export function useCfnResponseUrl(): CfnResponseUrl {
  let server: Server;
  const answers: CfnAnswer[] = [];
  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response) => {
      let text = '';
      request.on('data', (chunk) => (text += chunk));
      request.on('end', () => {
        answers.push({ contentType: request.headers['content-type'], body: JSON.parse(text) });
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    answers.length = 0;
  });
  return {
    url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/answer`,
    answers,
  };
}
