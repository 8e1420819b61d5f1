/** The app's template as the lib tests see it, with look-ups by type, properties and path. */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { synthPlatform } from './synth';

/** The first deployer, as cdk.context.json records it. */
export const FIRST_DEPLOYER = 'arn:aws:iam::123456789012:role/Deployer';
export const EXTRA_ADMIN = 'arn:aws:iam::123456789012:role/PlatformTeam';

export type Resources = Record<string, { Type: string; Properties?: any; DependsOn?: string[] }>;

export interface PlatformTemplate {
  readonly template: Template;
  readonly resources: Resources;
  /** The one resource of `type` with these properties (and, if given, this construct path part). */
  logicalId(type: string, props?: Record<string, unknown>, pathPart?: string): string;
  dependsOn(id: string): string[];
}

/**
 * The app with cdk.json's context, an extra admin and a recorded first deployer. A full synth takes
 * seconds: call it once per test file.
 */
export function platformTemplate(): PlatformTemplate {
  const template = synthPlatform(
    { adminPrincipalArns: [EXTRA_ADMIN] },
    { admins: [FIRST_DEPLOYER] },
  );
  const resources = template.toJSON().Resources as Resources;
  return {
    template,
    resources,
    logicalId(type, props = {}, pathPart) {
      const found = Object.entries(
        template.findResources(type, { Properties: Match.objectLike(props) }),
      )
        .filter(([, r]) => !pathPart || r.Metadata?.['aws:cdk:path']?.includes(`/${pathPart}/`))
        .map(([id]) => id);
      expect(found).toHaveLength(1);
      return found[0];
    },
    dependsOn: (id) => resources[id].DependsOn ?? [],
  };
}
