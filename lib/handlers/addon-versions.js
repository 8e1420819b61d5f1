/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS that Lambda runs as it is */
'use strict';
/**
 * Handler of Custom::EksAddonVersions. Create and Update look up, for each add-on in Addons
 * (attribute name -> add-on name), the version EKS names as the default for KubernetesVersion,
 * and return it under the attribute name. Delete does nothing. Plain CommonJS on the runtime's
 * own AWS SDK, so the asset needs no bundling.
 */
const { DescribeAddonVersionsCommand, EKSClient } = require('@aws-sdk/client-eks');
const { answering } = require('./cfn-response');

const eks = new EKSClient({});

exports.handler = answering(outcome);

/** What to tell CloudFormation. Never throws: an error becomes a FAILED answer. */
async function outcome(event) {
  const { KubernetesVersion: minor, Addons: addons } = event.ResourceProperties;
  const physicalId = event.PhysicalResourceId ?? 'eks-addon-versions';
  if (event.RequestType === 'Delete')
    return { status: 'SUCCESS', physicalId, reason: 'nothing to do' };
  try {
    const data = {};
    const notes = [];
    for (const [attribute, name] of Object.entries(addons)) {
      const { version, isDefault } = await versionFor(name, minor);
      data[attribute] = version;
      notes.push(`${name} ${version}${isDefault ? '' : ' (newest; EKS names no default)'}`);
    }
    return {
      status: 'SUCCESS',
      physicalId,
      reason: `Kubernetes ${minor}: ${notes.join(', ')}`,
      data,
    };
  } catch (error) {
    const reason =
      error instanceof NoVersion
        ? error.message
        : `DescribeAddonVersions failed: ${error.name}: ${error.message}`;
    return { status: 'FAILED', physicalId, reason };
  }
}

/**
 * The version of `name` EKS marks as the default for `minor`; when it marks none (some community
 * add-ons), the newest one compatible with it.
 */
async function versionFor(name, minor) {
  const compatible = [];
  let nextToken;
  do {
    const page = await eks.send(
      new DescribeAddonVersionsCommand({ addonName: name, kubernetesVersion: minor, nextToken }),
    );
    for (const addon of page.addons ?? []) {
      for (const candidate of addon.addonVersions ?? []) {
        const forMinor = (candidate.compatibilities ?? []).filter(
          (c) => c.clusterVersion === minor,
        );
        if (forMinor.some((c) => c.defaultVersion))
          return { version: candidate.addonVersion, isDefault: true };
        if (forMinor.length > 0) compatible.push(candidate.addonVersion);
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  if (compatible.length === 0)
    throw new NoVersion(`EKS offers no version of ${name} for Kubernetes ${minor}`);
  return { version: compatible.sort(byNumbers).at(-1), isDefault: false };
}

/** Orders `v1.2.3-eksbuild.4` style versions by their numbers, left to right. */
function byNumbers(a, b) {
  const [x, y] = [a, b].map((v) => (v.match(/\d+/g) ?? []).map(Number));
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? -1) - (y[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

class NoVersion extends Error {}
