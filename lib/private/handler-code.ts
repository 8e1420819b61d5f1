import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The code of the stack's own custom-resource handlers (`lib/handlers/`): plain CommonJS on the
 * Lambda runtime's AWS SDK, so it needs no bundling, and one asset for every handler, so they
 * share the module that answers CloudFormation.
 */
export function handlerCode(): lambda.Code {
  return lambda.Code.fromAsset(path.join(__dirname, '..', 'handlers'));
}
