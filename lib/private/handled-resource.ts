import * as path from 'path';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { skipCheckov } from './checkov';

export interface HandledResourceProps {
  /** The custom resource's type, like `Custom::EbsVolumesReleased`. */
  readonly resourceType: string;
  /** Its handler's module in `lib/handlers/`, without `.js`; it exports `handler`. */
  readonly handler: string;
  /** The function's description: what the handler does, in one line. */
  readonly description: string;
  /** The longest one call may take. CloudFormation waits a minute more for an answer. */
  readonly timeout: Duration;
  /** What the handler's log holds, for the reason it needs no customer key: "CIDRs only". */
  readonly logHolds: string;
  /** The custom resource's properties. */
  readonly properties: Record<string, unknown>;
  /**
   * What the handler may do besides writing its log.
   * @default - nothing else
   */
  readonly statements?: readonly iam.PolicyStatement[];
  /**
   * The function's environment.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * The log group's construct id, which its logical ID derives from.
   * @default 'Logs'
   */
  readonly logGroupId?: string;
}

/** A custom resource answered by its own small Lambda, and what it needs to run. */
export interface HandledResource {
  /** The custom resource, for what must depend on it and for its attributes. */
  readonly resource: CustomResource;
  /** The handler's role, for acknowledgements of its policy. */
  readonly role: iam.Role;
}

/**
 * A custom resource whose own small Lambda (code in `lib/handlers/`) answers CloudFormation
 * directly, created in `scope` as `Logs`, `Role`, `Handler` and `Resource`. The custom-resources
 * Provider would add a framework function, with its role and policy, to do the same. The log group
 * goes with the stack: each call's outcome is also the reason CloudFormation keeps in its events.
 */
export function handledResource(scope: Construct, props: HandledResourceProps): HandledResource {
  const logGroup = new logs.LogGroup(scope, props.logGroupId ?? 'Logs', {
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  skipCheckov(logGroup.node.defaultChild as logs.CfnLogGroup, [
    {
      id: 'CKV_AWS_158',
      comment: `it holds ${props.logHolds}, encrypted at rest by CloudWatch Logs; a customer key would add cost and key-policy coupling without narrowing who can read them`,
    },
  ]);

  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  for (const statement of props.statements ?? []) role.addToPolicy(statement);
  logGroup.grantWrite(role);

  const handler = new lambda.Function(scope, 'Handler', {
    description: props.description,
    runtime: lambda.Runtime.NODEJS_24_X,
    // Plain CommonJS on the runtime's AWS SDK, so no bundling; one asset for every handler, so
    // they share the module that answers CloudFormation.
    code: lambda.Code.fromAsset(path.join(__dirname, '..', 'handlers')),
    handler: `${props.handler}.handler`,
    role,
    logGroup,
    timeout: props.timeout,
    environment: props.environment,
  });

  const resource = new CustomResource(scope, 'Resource', {
    resourceType: props.resourceType,
    serviceToken: handler.functionArn,
    properties: props.properties,
    // Without an answer (the handler crashed), CloudFormation gives up after this, not an hour.
    serviceTimeout: props.timeout.plus(Duration.minutes(1)),
  });
  return { resource, role };
}
