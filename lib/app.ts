import { App, Aspects, Validations } from 'aws-cdk-lib';
import { AppConfig } from '../config';
import { PlatformStack } from './platform-stack';
import { AwsSolutionsChecksOnLoadedServices } from './private/aws-solutions-checks';
import { CdkHandlerCheckovSkips } from './private/checkov';

/** The one stack's name; an account and a region hold one such stack. */
export const STACK_NAME = 'BitcoinPlatform';

/**
 * Builds every stack of the project into `app`. Shared by `bin/app.ts` and the tests, which
 * pass what they know of the machine: the cluster admins recorded in cdk.context.json for the
 * account deployed to, and the container builder it lacks.
 */
export function buildApp(
  app: App,
  config: AppConfig,
  recordedAdmins: readonly string[] = [],
  missingImageBuilder?: string,
): PlatformStack {
  const { account, region } = config.infra;
  Validations.of(app).addPlugins(new AwsSolutionsChecksOnLoadedServices(app));
  const stack = new PlatformStack(app, STACK_NAME, {
    config,
    recordedAdmins,
    missingImageBuilder,
    env: account || region ? { account, region } : undefined,
    description: 'EKS cluster, platform charts and the BitcoinNetwork operator',
  });
  Aspects.of(stack).add(new CdkHandlerCheckovSkips());
  return stack;
}
