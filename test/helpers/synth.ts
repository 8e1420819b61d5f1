import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../config';
import { buildApp } from '../../lib/app';
import { PlatformStack } from '../../lib/platform-stack';
import { context as projectContext } from '../../cdk.json';

/**
 * The whole app, synthesised with cdk.json's context plus the given context and the cluster
 * admins cdk.context.json would record; returns its stack.
 * `missingImageBuilder` is what bin/ would pass on a machine without a container builder.
 */
export function platformStack(
  context: Record<string, unknown> = {},
  recordedAdmins: readonly string[] = [],
  missingImageBuilder?: string,
): PlatformStack {
  // Path metadata lets tests find resources by construct path, as the CLI's templates do.
  const app = new App({
    builtinCloudFormationValidation: false,
    context: { ...projectContext, 'aws:cdk:enable-path-metadata': true, ...context },
  });
  const config = loadConfig((key) => app.node.tryGetContext(key));
  const stack = buildApp(app, config, recordedAdmins, missingImageBuilder);
  app.synth();
  return stack;
}

/** Synthesises the whole app with cdk.json's context plus the given context and returns the stack's template. */
export function synthPlatform(
  context: Record<string, unknown> = {},
  recordedAdmins: readonly string[] = [],
): Template {
  return Template.fromStack(platformStack(context, recordedAdmins));
}

/** The template as JSON with asset hashes masked, so snapshots don't churn with bundles. */
export function maskedJson(template: Template): unknown {
  const text = JSON.stringify(template.toJSON()).replace(/[a-f0-9]{64}/g, '<asset-hash>');
  return JSON.parse(text);
}
