import { PolicyValidationPluginReport } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

const SERVICE_INDEX = /[/\\]aws-cdk-lib[/\\](aws-[^/\\]+)[/\\]index\.js$/;
const SERVICE_FILE = /[/\\]aws-cdk-lib[/\\](aws-[^/\\]+)[/\\]lib[/\\]/;

/**
 * cdk-nag's AwsSolutions pack, with the same rules and the same findings, made cheaper.
 *
 * Its rules ask `node instanceof CfnX` for some 40 AWS services, and each question loads that
 * service's generated L1 module: 14 MB of JavaScript (QuickSight's alone 5 MB), about 380 of the
 * 450 ms the pack took in a profile of bin/app.ts. A construct can only be an instance of a class
 * whose module ran, so while the pack runs, the classes of services none of whose modules is
 * loaded answer `instanceof` with false without loading anything. Any other use of them throws,
 * which cdk-nag reports as a finding: a rule that needs more than `instanceof` fails loudly
 * instead of passing. The real exports are put back when the pack is done.
 */
export class AwsSolutionsChecksOnLoadedServices extends AwsSolutionsChecks {
  override validateScope(scope: IConstruct): PolicyValidationPluginReport {
    const restore = hideUnloadedServices();
    try {
      return super.validateScope(scope);
    } finally {
      restore();
    }
  }
}

/** Replaces the lazy exports of every unloaded aws-cdk-lib service; returns the undo. */
function hideUnloadedServices(): () => void {
  const files = Object.keys(require.cache);
  const loaded = new Set(files.map((file) => SERVICE_FILE.exec(file)?.[1]));
  const undo: (() => void)[] = [];
  for (const file of files) {
    const service = SERVICE_INDEX.exec(file)?.[1];
    const exports = require.cache[file]?.exports;
    if (!service || loaded.has(service) || !exports) continue;
    for (const [name, property] of Object.entries(Object.getOwnPropertyDescriptors(exports))) {
      // aws-cdk-lib exports each class through a getter that loads it on first use.
      if (!property.get || !property.configurable) continue;
      const hidden = noInstances(`${service}.${name}`);
      Object.defineProperty(exports, name, { ...property, get: () => hidden });
      undo.push(() => Object.defineProperty(exports, name, property));
    }
  }
  return () => undo.forEach((restore) => restore());
}

/** A class nothing is an instance of; reading anything else from it throws. */
function noInstances(name: string): unknown {
  return new Proxy(class {}, {
    get(_target, key) {
      if (key === Symbol.hasInstance) return () => false;
      throw new Error(`${name}.${String(key)} was read while ${name} was not loaded`);
    },
  });
}
