import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { RecordedDeployment } from '../../lib/app';
import type { PlatformStack } from '../../lib/platform-stack';
import { synthApp } from '../../tools/base/app-synth';

/**
 * Where this test process synthesises: each synth copies every asset (the kubectl layer alone is
 * 58 MB), and CDK's own temporary folders are never removed, so a suite run filled the disk.
 * Jest loads this module once per test file: the folder goes after that file's tests, so a
 * returned stack's assembly stays readable until then.
 */
const SYNTH_ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-synth-'));
afterAll(() => fs.rmSync(SYNTH_ROOT, { recursive: true, force: true }));

/**
 * The whole app, synthesised with cdk.json's context plus the given context and what
 * cdk.context.json would record of the deployed stack; returns its stack.
 * `missingImageBuilder` is what bin/ would pass on a machine without a container builder.
 */
export function platformStack(
  context: Record<string, unknown> = {},
  recorded: RecordedDeployment = {},
  missingImageBuilder?: string,
): PlatformStack {
  return synthApp({
    // Path metadata lets tests find resources by construct path, as the CLI's templates do.
    context: { 'aws:cdk:enable-path-metadata': true, ...context },
    recorded,
    missingImageBuilder,
    outdir: fs.mkdtempSync(path.join(SYNTH_ROOT, 'app-')),
  }).stack;
}

/** Synthesises the whole app with cdk.json's context plus the given context and returns the stack's template. */
export function synthPlatform(
  context: Record<string, unknown> = {},
  recorded: RecordedDeployment = {},
): Template {
  return Template.fromStack(platformStack(context, recorded));
}

/** The template as JSON with asset hashes masked, so snapshots don't churn with bundles. */
export function maskedJson(template: Template): unknown {
  const text = JSON.stringify(template.toJSON()).replace(/[a-f0-9]{64}/g, '<asset-hash>');
  return JSON.parse(text);
}
