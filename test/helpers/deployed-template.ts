import type { DeployedTemplate } from '../../lib/deployed-stack';

/** A deployed template that has an admin access entry of each logical ID, by principal ARN. */
export function templateWithEntries(entryIds: Record<string, string>): DeployedTemplate {
  return {
    Resources: Object.fromEntries(
      Object.entries(entryIds).map(([PrincipalArn, id]) => [
        id,
        {
          Type: 'AWS::EKS::AccessEntry',
          Properties: { ClusterName: 'bitcoin-platform', PrincipalArn },
        },
      ]),
    ),
  };
}
