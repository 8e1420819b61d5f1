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

interface CfnResponseUrl {
  /** The URL to put in an event's ResponseURL. */
  url(): string;
  /** The answers received since the test began. */
  readonly answers: CfnAnswer[];
}

/**
 * A stand-in for CloudFormation's pre-signed response URL, on loopback, for the handler tests of
 * one file: it starts before them, forgets its answers before each and stops after them.
 */
function useCfnResponseUrl(): CfnResponseUrl {
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

/** One of lib/handlers/ under test, with the events CloudFormation would send it. */
export interface HandlerUnderTest {
  /** The module's `handler`, as Lambda calls it. */
  handler(event: object): Promise<void>;
  /**
   * An event of `RequestType` for the resource: `properties` join (and win over) its own, `extra`
   * adds or overrides event fields such as `PhysicalResourceId` or `OldResourceProperties`.
   */
  event(
    RequestType: string,
    extra?: Record<string, unknown>,
    properties?: Record<string, unknown>,
  ): Record<string, unknown>;
  /** The one answer CloudFormation got; fails the test unless there is exactly one. */
  answer(): CfnAnswer['body'];
  /** Every answer since the test began. */
  readonly answers: CfnAnswer[];
}

/**
 * The handler of `lib/handlers/<module>.js` (plain JavaScript that Lambda runs as it is) for the
 * tests of one file, answering a loopback response URL, with its log silenced.
 */
export function handlerUnderTest(
  module: string,
  resource: {
    readonly logicalId: string;
    readonly type: string;
    readonly properties?: Record<string, unknown>;
  },
): HandlerUnderTest {
  const { handler } = jest.requireActual<{ handler: (event: object) => Promise<void> }>(
    `../../lib/handlers/${module}.js`,
  );
  const responseUrl = useCfnResponseUrl();
  beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());
  return {
    handler,
    event: (RequestType, extra = {}, properties = {}) => ({
      RequestType,
      ResponseURL: responseUrl.url(),
      StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/BitcoinPlatform/1',
      RequestId: 'request-1',
      LogicalResourceId: resource.logicalId,
      ResourceType: resource.type,
      ResourceProperties: {
        ServiceToken: 'arn:aws:lambda:fn',
        ...resource.properties,
        ...properties,
      },
      ...extra,
    }),
    answer: () => {
      expect(responseUrl.answers).toHaveLength(1);
      return responseUrl.answers[0].body;
    },
    answers: responseUrl.answers,
  };
}
