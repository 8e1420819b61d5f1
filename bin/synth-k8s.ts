/**
 * `npm run synth:k8s`: writes the charts of each target as YAML files under `dist/`.
 *
 *   npm run synth:k8s                      # both targets
 *   npm run synth:k8s -- --target local    # one target
 *   npm run synth:k8s -- -c webReplicas=3  # override a config key, as with `cdk synth -c`
 *
 * Configuration comes from the `context` of cdk.json, like `cdk synth`, so both see the same
 * values.
 */
import { loadProjectConfig } from '../config';
import { PLATFORM_TARGETS, PlatformTarget } from '../k8s/common';
import { writeTarget } from '../k8s/synth';

interface CliOptions {
  readonly targets: readonly PlatformTarget[];
  readonly outDir: string;
  readonly context: Record<string, string>;
}

/** Parses `--target eks|local`, `--out DIR` and `-c key=value` (repeatable); `--flag=value` too. */
export function parseArgs(argv: readonly string[]): CliOptions {
  let targets: readonly PlatformTarget[] = PLATFORM_TARGETS;
  let outDir = 'dist';
  const context: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const inline = arg.startsWith('--') && eq > 0;
    const flag = inline ? arg.slice(0, eq) : arg;
    const value = (): string => {
      const v = inline ? arg.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--target') {
      const t = value();
      if (!PLATFORM_TARGETS.includes(t as PlatformTarget)) {
        throw new Error(`--target must be one of ${PLATFORM_TARGETS.join(', ')}, got "${t}"`);
      }
      targets = [t as PlatformTarget];
    } else if (flag === '--out') {
      outDir = value();
    } else if (flag === '-c' || flag === '--context') {
      const pair = value();
      const sep = pair.indexOf('=');
      if (sep < 1) throw new Error(`${flag} expects key=value, got "${pair}"`);
      context[pair.slice(0, sep)] = pair.slice(sep + 1);
    } else {
      throw new Error(`unknown argument "${arg}"`);
    }
  }
  return { targets, outDir, context };
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const config = loadProjectConfig(options.context);
  for (const target of options.targets) {
    for (const file of writeTarget(options.outDir, target, config)) {
      console.log(file);
    }
  }
}

if (require.main === module) {
  try {
    main();
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
