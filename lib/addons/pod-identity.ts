import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface PodIdentityProps {
  readonly cluster: eks.Cluster;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** AWS managed policies for the role, by name. */
  readonly managedPolicies?: string[];
}

/**
 * An IAM role that pods of one ServiceAccount assume through EKS Pod Identity. Pod Identity
 * needs no OIDC provider and keeps the trust policy independent of the cluster's issuer URL.
 */
export class PodIdentity extends Construct {
  readonly role: iam.Role;
  readonly association: eks.CfnPodIdentityAssociation;

  constructor(scope: Construct, id: string, props: PodIdentityProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com').withSessionTags(),
      managedPolicies: (props.managedPolicies ?? []).map((name) =>
        iam.ManagedPolicy.fromAwsManagedPolicyName(name),
      ),
    });
    this.association = new eks.CfnPodIdentityAssociation(this, 'Association', {
      clusterName: props.cluster.clusterName,
      namespace: props.namespace,
      serviceAccount: props.serviceAccount,
      roleArn: this.role.roleArn,
    });
    // The agent hands out the credentials; without it the association does nothing.
    const agent = props.cluster.eksPodIdentityAgent;
    if (agent) this.association.node.addDependency(agent);
  }
}
