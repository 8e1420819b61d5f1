import { App } from 'aws-cdk-lib';
import { type AppConfig, loadConfig } from '../config';
import { adminEntryIdsKey, keptAdminEntryIds } from '../lib/admin-entries';
import { type RecordedDeployment, STACK_NAME, buildApp } from '../lib/app';
import { CONTEXT_FILE, clusterAdmins, recordedAdminsKey } from '../lib/cluster-admins';
import type { DeployedStack } from '../lib/deployed-stack';
import { keptClaimNames, keptClaimNamesKey } from '../lib/kept-claim-names';
import type { Deployer, DeployerLookup } from '../lib/deployer';
import { recordContextValue } from './context-file';
import { missingImageBuilder } from './image-builder';

/**
 * Wiring only: read config, ask AWS who deploys (when the CLI found credentials), read or record
 * in cdk.context.json what the stack keeps across deploys, look for the container builder
 * `cdk deploy` needs, build the app.
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
  buildApp(app, config, await recordedDeployment(app, config, deployer), missingImageBuilder());
  app.synth();
}

/**
 * What the stack keeps across deploys, as cdk.context.json records it for the account and region
 * deployed to: the admins, the logical IDs of their entries, the claims' names. While any is not
 * recorded, records what the deployed stack says (the deployer of a new stack as its admin).
 * Without an account (offline and not pinned) nothing is known or recorded.
 */
async function recordedDeployment(
  app: App,
  config: AppConfig,
  deployer?: Deployer,
): Promise<RecordedDeployment> {
  // The stack's own account and region, as the CLI deploys it.
  const account = config.infra.account ?? deployer?.account;
  const region = config.infra.region ?? process.env.CDK_DEFAULT_REGION;
  if (!account || !region) return {};
  const key = recordedAdminsKey(account, region);
  const idsKey = adminEntryIdsKey(account, region);
  const claimsKey = keptClaimNamesKey(account, region);
  const [recorded, recordedIds, recordedClaims]: unknown[] = [key, idsKey, claimsKey].map((k) =>
    app.node.tryGetContext(k),
  );
  const deployed =
    deployer && [recorded, recordedIds, recordedClaims].includes(undefined)
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
  const claims = keptClaimNames(
    claimsKey,
    recordedClaims,
    deployed,
    config.platform.throughputVolume,
  );
  if (admins.record) recordContextValue(CONTEXT_FILE, key, admins.record);
  if (entries.record) recordContextValue(CONTEXT_FILE, idsKey, entries.record);
  if (claims.record) recordContextValue(CONTEXT_FILE, claimsKey, claims.record);
  for (const { warning } of [admins, entries, claims]) if (warning) console.warn(warning);
  return { admins: admins.recorded, keptEntryIds: entries.value, keptClaimNames: claims.value };
}

/** Loaded, like the others, only when asked: the first synth with credentials of each clone. */
async function askCloudFormation(region: string): Promise<DeployedStack> {
  const [{ CloudFormationClient }, { lookUpDeployedStack }] = await Promise.all([
    import('@aws-sdk/client-cloudformation'),
    import('../lib/deployed-stack'),
  ]);
  return lookUpDeployedStack(new CloudFormationClient({ region }), STACK_NAME);
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
