import { App, Aspects, Validations } from 'aws-cdk-lib';
import { AppConfig } from '../config';
import type { KeptClaimNames } from '../k8s/storage-chart';
import type { AdminEntryIds } from './admin-entries';
import { PlatformStack } from './platform-stack';
import { AwsSolutionsChecksOnLoadedServices } from './private/aws-solutions-checks';
import { CdkHandlerCheckovSkips } from './private/checkov';

/** The one stack's name; an account and a region hold one such stack. */
export const STACK_NAME = 'BitcoinPlatform';

/** What cdk.context.json records of the deployed stack for the account deployed to. */
export interface RecordedDeployment {
  /**
   * The admins granted besides adminPrincipalArns.
   * @default - none (offline, or no account to record them for)
   */
  readonly admins?: readonly string[];
  /**
   * The logical IDs the admins' deployed entries keep, by principal.
   * @default - every entry gets the logical ID derived from its principal
   */
  readonly keptEntryIds?: AdminEntryIds;
  /**
   * The names the deployed claims keep, by the name this version gives them.
   * @default - every claim gets the name this version gives it
   */
  readonly keptClaimNames?: KeptClaimNames;
}

/**
 * Builds every stack of the project into `app`. Shared by `bin/app.ts` and the tests, which
 * pass what they know of the machine: what cdk.context.json records for the account deployed to
 * (the cluster admins, the logical IDs their entries keep, the claims' names), and the container
 * builder it lacks.
 */
export function buildApp(
  app: App,
  config: AppConfig,
  recorded: RecordedDeployment = {},
  missingImageBuilder?: string,
): PlatformStack {
  const { account, region } = config.infra;
  Validations.of(app).addPlugins(new AwsSolutionsChecksOnLoadedServices(app));
  const stack = new PlatformStack(app, STACK_NAME, {
    config,
    recordedAdmins: recorded.admins,
    keptAdminEntryIds: recorded.keptEntryIds,
    keptClaimNames: recorded.keptClaimNames,
    missingImageBuilder,
    env: account || region ? { account, region } : undefined,
    description: 'EKS cluster, platform charts and the BitcoinNetwork operator',
  });
  Aspects.of(stack).add(new CdkHandlerCheckovSkips());
  return stack;
}
