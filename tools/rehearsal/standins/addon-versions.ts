/**
 * `Custom::EksAddonVersions` (lib/addon-versions.ts) without AWS: its handler asks EKS's
 * DescribeAddonVersions for the version marked default for the cluster's minor; this answers
 * `default-for-<minor>` for every add-on that has a stand-in, so that a minor change moves every
 * add-on to a new version (its images' tag) and a stale version is plain to see in the cluster.
 * Like EKS, it refuses an add-on it does not know.
 */
import { ADDON_NAMES } from './addons';

export const ADDON_VERSIONS_TYPE = 'Custom::EksAddonVersions';

/** The stand-in's default version of every add-on for `minor`. */
export const defaultVersionFor = (minor: string): string => `default-for-${minor}`;

/** The resource's attributes: attribute name -> the default version of its add-on. */
export function addonVersions(
  properties: Readonly<Record<string, unknown>>,
): Record<string, string> {
  const minor = String(properties.KubernetesVersion);
  if (!/^\d+\.\d+$/.test(minor))
    throw new Error(`KubernetesVersion must be a minor, got "${minor}"`);
  const addons = (properties.Addons ?? {}) as Record<string, string>;
  return Object.fromEntries(
    Object.entries(addons).map(([attribute, name]) => {
      if (!ADDON_NAMES.includes(name)) {
        throw new Error(
          `EKS knows no add-on "${name}" (the stand-in knows ${ADDON_NAMES.join(', ')})`,
        );
      }
      return [attribute, defaultVersionFor(minor)];
    }),
  );
}
