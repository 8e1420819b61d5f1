import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface PodIdentityProps {
  /** The cluster whose Pod Identity agent hands the role's credentials to the pods. */
  readonly cluster: eks.Cluster;
  /** The namespace of the ServiceAccount. */
  readonly namespace: string;
  /** The ServiceAccount whose pods get the role. */
  readonly serviceAccount: string;
  /**
   * AWS managed policies for the role, by name.
   * @default - none: the owner adds what its pods call to {@link PodIdentity.role}
   */
  readonly managedPolicies?: string[];
}

/**
 * An IAM role that pods of one ServiceAccount assume through EKS Pod Identity. Pod Identity
 * needs no OIDC provider and keeps the trust policy independent of the cluster's issuer URL.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html
 */
export class PodIdentity extends Construct {
  /** The role the pods assume: grant it what they call in AWS. */
  readonly role: iam.Role;
  /**
   * The association of the role with the ServiceAccount. Whatever starts the pods must depend on
   * it: a pod gets the credentials only if the association existed when it was created.
   */
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
