import { createServer } from 'http';
import type { AddressInfo } from 'net';

/**
 * What the fake AWS knows: who calls, the ARNs of the roles IAM may tell it (none: denied), and
 * the templates of the deployed stacks, by name (none: no such stack).
 */
export interface FakeAwsAccount {
  readonly account: string;
  readonly callerArn: string;
  readonly roles: Record<string, string>;
  readonly stacks?: Record<string, object>;
}

export interface FakeAws {
  /** The endpoint for AWS_ENDPOINT_URL_STS, _IAM and _CLOUDFORMATION. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A loopback stand-in for the query-protocol calls the app makes to find its admins (STS
 * GetCallerIdentity, IAM GetRole, CloudFormation GetTemplate), so the real SDK clients and the
 * CDK CLI run against it.
 */
export async function startFakeAws({
  account,
  callerArn,
  roles,
  stacks = {},
}: FakeAwsAccount): Promise<FakeAws> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const params = new URLSearchParams(body);
      const [status, xml] = answer(params.get('Action'), params);
      response.writeHead(status, { 'Content-Type': 'text/xml' }).end(xml);
    });
  });

  function answer(action: string | null, params: URLSearchParams): [number, string] {
    const roleName = params.get('RoleName') ?? '';
    if (action === 'GetTemplate') {
      const stackName = params.get('StackName') ?? '';
      const template = stacks[stackName];
      if (!template) {
        return [
          400,
          `<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${stackName} does not exist</Message></Error></ErrorResponse>`,
        ];
      }
      return [
        200,
        `<GetTemplateResponse><GetTemplateResult><TemplateBody>${xmlText(JSON.stringify(template))}</TemplateBody></GetTemplateResult></GetTemplateResponse>`,
      ];
    }
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

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
