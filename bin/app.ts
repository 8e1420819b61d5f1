import { App } from 'aws-cdk-lib';
import { type AppConfig, loadConfig } from '../config';
import { adminEntryIdsKey, keptAdminEntryIds } from '../lib/admin-entries';
import { type RecordedAdminAccess, STACK_NAME, buildApp } from '../lib/app';
import { CONTEXT_FILE, clusterAdmins, recordedAdminsKey } from '../lib/cluster-admins';
import type { DeployedAdmins } from '../lib/deployed-admins';
import type { Deployer, DeployerLookup } from '../lib/deployer';
import { recordContextValue } from './context-file';
import { missingImageBuilder } from './image-builder';

/**
 * Wiring only: read config, ask AWS who deploys (when the CLI found credentials), read or record
 * the cluster admins and their entries' logical IDs in cdk.context.json, look for the container
 * builder `cdk deploy` needs, build the app.
 */
async function main(): Promise<void> {
  // cfn-lint checks every template in `npm test` (and `npm run lint:cfn`); the built-in validator
  // would repeat that work on every synth and triple its time.
  const app = new App({ builtinCloudFormationValidation: false });
  // Checked before AWS is asked, so that a bad value fails at once.
  const config = loadConfig((key) => app.node.tryGetContext(key));
  // The CDK CLI sets CDK_DEFAULT_ACCOUNT only when it found credentials; without them there
  // is nobody to ask, and asking would only wait for a timeout.
  const lookup: DeployerLookup = process.env.CDK_DEFAULT_ACCOUNT
    ? await askAws(config)
    : { offline: 'no AWS credentials found' };
  if ('offline' in lookup) {
    console.warn(
      `Synthesising without AWS credentials (${lookup.offline}): templates are environment-agnostic and only adminPrincipalArns get cluster admin.`,
    );
  } else if ('warning' in lookup) {
    console.warn(lookup.warning);
  }
  const deployer = 'deployer' in lookup ? lookup.deployer : undefined;
  buildApp(app, config, await recordedAdmins(app, config, deployer), missingImageBuilder());
  app.synth();
}

/**
 * The admins recorded for the account and region deployed to, and the logical IDs their entries
 * keep. While either is not recorded, records what the deployed stack says (the deployer of a new
 * stack as its admin). Without an account (offline and not pinned) nothing is known or recorded.
 */
async function recordedAdmins(
  app: App,
  config: AppConfig,
  deployer?: Deployer,
): Promise<RecordedAdminAccess> {
  // The stack's own account and region, as the CLI deploys it.
  const account = config.infra.account ?? deployer?.account;
  const region = config.infra.region ?? process.env.CDK_DEFAULT_REGION;
  if (!account || !region) return {};
  const key = recordedAdminsKey(account, region);
  const idsKey = adminEntryIdsKey(account, region);
  const recorded: unknown = app.node.tryGetContext(key);
  const recordedIds: unknown = app.node.tryGetContext(idsKey);
  const deployed =
    deployer && (recorded === undefined || recordedIds === undefined)
      ? await askCloudFormation(region)
      : undefined;
  const admins = clusterAdmins({
    key,
    recorded,
    deployer,
    deployed,
    adminPrincipalArns: config.infra.adminPrincipalArns,
  });
  const entries = keptAdminEntryIds(idsKey, recordedIds, deployed);
  if (admins.record) recordContextValue(CONTEXT_FILE, key, admins.record);
  if (entries.record) recordContextValue(CONTEXT_FILE, idsKey, entries.record);
  for (const warning of [admins.warning, entries.warning]) if (warning) console.warn(warning);
  return { recorded: admins.recorded, keptEntryIds: entries.ids };
}

/** Loaded, like the others, only when asked: the first synth with credentials of each clone. */
async function askCloudFormation(region: string): Promise<DeployedAdmins> {
  const [{ CloudFormationClient }, { lookUpDeployedAdmins }] = await Promise.all([
    import('@aws-sdk/client-cloudformation'),
    import('../lib/deployed-admins'),
  ]);
  return lookUpDeployedAdmins(new CloudFormationClient({ region }), STACK_NAME);
}

/** Loads the AWS SDK only when there is someone to ask: it adds 0.1 s to every offline synth. */
async function askAws(config: AppConfig): Promise<DeployerLookup> {
  const [{ STSClient }, { IAMClient }, { lookUpDeployer }] = await Promise.all([
    import('@aws-sdk/client-sts'),
    import('@aws-sdk/client-iam'),
    import('../lib/deployer'),
  ]);
  const region = process.env.CDK_DEFAULT_REGION ?? 'us-east-1';
  return lookUpDeployer(
    { sts: new STSClient({ region }), iam: new IAMClient({ region }) },
    { adminPrincipalArns: config.infra.adminPrincipalArns },
  );
}

main().catch((error: Error) => {
  // Config errors are meant for the terminal as they are; anything else keeps its stack.
  console.error(error.name === 'ConfigError' ? error.message : error);
  process.exit(1);
});
