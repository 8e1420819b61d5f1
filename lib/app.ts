import { App, Aspects, Validations } from 'aws-cdk-lib';
import { AppConfig } from '../config';
import type { AdminEntryIds } from './admin-entries';
import { PlatformStack } from './platform-stack';
import { AwsSolutionsChecksOnLoadedServices } from './private/aws-solutions-checks';
import { CdkHandlerCheckovSkips } from './private/checkov';

/** The one stack's name; an account and a region hold one such stack. */
export const STACK_NAME = 'BitcoinPlatform';

/** What cdk.context.json records of the cluster admins for the account deployed to. */
export interface RecordedAdminAccess {
  /**
   * The admins granted besides adminPrincipalArns.
   * @default - none (offline, or no account to record them for)
   */
  readonly recorded?: readonly string[];
  /**
   * The logical IDs their deployed entries keep, by principal.
   * @default - every entry gets the logical ID derived from its principal
   */
  readonly keptEntryIds?: AdminEntryIds;
}

/**
 * Builds every stack of the project into `app`. Shared by `bin/app.ts` and the tests, which
 * pass what they know of the machine: the cluster admins recorded in cdk.context.json for the
 * account deployed to and the logical IDs their entries keep, and the container builder it lacks.
 */
export function buildApp(
  app: App,
  config: AppConfig,
  admins: RecordedAdminAccess = {},
  missingImageBuilder?: string,
): PlatformStack {
  const { account, region } = config.infra;
  Validations.of(app).addPlugins(new AwsSolutionsChecksOnLoadedServices(app));
  const stack = new PlatformStack(app, STACK_NAME, {
    config,
    recordedAdmins: admins.recorded,
    keptAdminEntryIds: admins.keptEntryIds,
    missingImageBuilder,
    env: account || region ? { account, region } : undefined,
    description: 'EKS cluster, platform charts and the BitcoinNetwork operator',
  });
  Aspects.of(stack).add(new CdkHandlerCheckovSkips());
  return stack;
}
