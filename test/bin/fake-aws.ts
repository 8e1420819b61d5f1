import { createServer } from 'http';
import type { AddressInfo } from 'net';

/** What the fake AWS knows: who calls, and the ARNs of the roles IAM may tell it (none: denied). */
export interface FakeAwsAccount {
  readonly account: string;
  readonly callerArn: string;
  readonly roles: Record<string, string>;
}

export interface FakeAws {
  /** The endpoint for AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL_IAM. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A loopback stand-in for the two query-protocol calls the deployer look-up makes (STS
 * GetCallerIdentity, IAM GetRole), so the real SDK clients and the CDK CLI run against it.
 */
export async function startFakeAws({
  account,
  callerArn,
  roles,
}: FakeAwsAccount): Promise<FakeAws> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const params = new URLSearchParams(body);
      const [status, xml] = answer(params.get('Action'), params.get('RoleName') ?? '');
      response.writeHead(status, { 'Content-Type': 'text/xml' }).end(xml);
    });
  });

  function answer(action: string | null, roleName: string): [number, string] {
    if (action === 'GetCallerIdentity') {
      return [
        200,
        `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>${callerArn}</Arn><UserId>AROAFAKE:session</UserId><Account>${account}</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`,
      ];
    }
    if (action === 'GetRole' && roles[roleName]) {
      return [
        200,
        `<GetRoleResponse><GetRoleResult><Role><RoleName>${roleName}</RoleName><Arn>${roles[roleName]}</Arn></Role></GetRoleResult></GetRoleResponse>`,
      ];
    }
    return [
      403,
      `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to perform: ${action}</Message></Error></ErrorResponse>`,
    ];
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
