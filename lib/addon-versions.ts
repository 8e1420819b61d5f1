import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CustomResource, Duration, Lazy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { KubernetesMinor } from '../config';
import { handledResource } from './private/handled-resource';
import { acceptWildcards } from './private/nag';

/** A handful of paginated DescribeAddonVersions calls, with the SDK's retries. */
const HANDLER_TIMEOUT = Duration.minutes(2);

export interface EksAddonVersionsProps {
  /**
   * The cluster whose add-ons follow the versions. The lookup names it, and so runs after the
   * control plane's update.
   */
  readonly cluster: eks.Cluster;
  /**
   * The cluster's minor: a new one looks every version up again.
   * @see https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeAddonVersions.html
   */
  readonly kubernetesVersion: KubernetesMinor;
}

/**
 * `Custom::EksAddonVersions`: at deploy time, the version EKS names as the default for the
 * cluster's minor, for every add-on that asks with {@link versionOf}. It runs when the minor
 * changes (its only input), after the control plane has moved (it names the cluster), so the
 * add-ons that read it move after the control plane too, and nobody looks version strings up by
 * hand.
 */
export class EksAddonVersions extends Construct {
  private readonly resource: CustomResource;
  /** Attribute name to add-on name: what the handler looks up. */
  private readonly addons: Record<string, string> = {};

  constructor(scope: Construct, id: string, props: EksAddonVersionsProps) {
    super(scope, id);
    const { resource, role } = handledResource(this, {
      resourceType: 'Custom::EksAddonVersions',
      handler: 'addon-versions',
      description: "Looks up the add-on versions EKS names as default for the cluster's minor",
      timeout: HANDLER_TIMEOUT,
      logHolds: 'add-on names and versions only',
      statements: [
        new iam.PolicyStatement({ actions: ['eks:DescribeAddonVersions'], resources: ['*'] }),
      ],
      properties: {
        // Orders the lookup, and so every add-on version, after the control plane's update.
        ClusterName: props.cluster.clusterName,
        KubernetesVersion: props.kubernetesVersion,
        Addons: Lazy.any({ produce: () => this.addons }),
      },
    });
    acceptWildcards(
      role,
      ['*'],
      'eks:DescribeAddonVersions has no resource-level permissions; the role can do nothing else but write its own log group.',
    );
    this.resource = resource;
  }

  /** The default version of add-on `name` for the cluster's minor (a deploy-time value). */
  private versionOf(name: string): string {
    const attribute = name.replace(/[^A-Za-z0-9]/g, '');
    this.addons[attribute] = name;
    return this.resource.getAttString(attribute);
  }

  /** Pins `addon` to its default version for the cluster's minor. */
  follow(addon: eks.IAddon): void {
    const resource = addon.node.defaultChild as eks.CfnAddon;
    resource.addonVersion = this.versionOf(resource.addonName);
  }
}
