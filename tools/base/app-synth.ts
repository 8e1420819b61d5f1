import { App } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { context as projectContext } from '../../cdk.json';
import { loadConfig } from '../../config';
import { buildApp, type RecordedDeployment } from '../../lib/app';
import type { PlatformStack } from '../../lib/platform-stack';

export interface AppSynthOptions {
  /** Context on top of cdk.json's, as `-c key=value` gives it: it wins. */
  readonly context?: Readonly<Record<string, unknown>>;
  /** What cdk.context.json would record of the deployed stack. @default - nothing */
  readonly recorded?: RecordedDeployment;
  /** The container builder this machine lacks, as bin/app.ts passes it. @default - none */
  readonly missingImageBuilder?: string;
  /** Where the assembly goes: every synth copies every asset, so the caller removes it. */
  readonly outdir: string;
}

/** The app synthesised in this process as `cdk synth` makes it without AWS credentials. */
export function synthApp(options: AppSynthOptions): {
  readonly stack: PlatformStack;
  readonly assembly: CloudAssembly;
} {
  const app = new App({
    outdir: options.outdir,
    // cfn-lint checks the templates (test/bin); CDK's validator would only repeat it, slowly.
    builtinCloudFormationValidation: false,
    context: { ...projectContext, ...options.context },
  });
  const config = loadConfig((key) => app.node.tryGetContext(key));
  const stack = buildApp(app, config, options.recorded, options.missingImageBuilder);
  return { stack, assembly: app.synth() };
}
