import * as kplus from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import { CONTROLLER_NAME, GROUP, PLURAL } from '../controller/api';

/** Name of the admission policy and its binding. */
export const NETWORK_NAMESPACE_POLICY = `${CONTROLLER_NAME}-namespaces`;

/**
 * Refuses a new BitcoinNetwork in a namespace the controller does not serve, so that it is an
 * error at `kubectl apply` instead of a network that never gets a status. In cluster-wide mode
 * (`namespaces` empty) it admits every namespace: it is rendered in both modes because
 * `kubectl apply --prune` never deletes admission policies, and one left over from namespaced
 * mode would go on refusing networks. Only creation is checked: a network left outside the list
 * when it shrinks can still be edited and deleted.
 */
export function networkNamespacePolicy(
  scope: Construct,
  namespaces: readonly string[],
  labels: Readonly<Record<string, string>>,
): [kplus.k8s.KubeValidatingAdmissionPolicy, kplus.k8s.KubeValidatingAdmissionPolicyBinding] {
  const metadata = { name: NETWORK_NAMESPACE_POLICY, labels: { ...labels } };
  const policy = new kplus.k8s.KubeValidatingAdmissionPolicy(scope, 'NamespacePolicy', {
    metadata,
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [
          {
            apiGroups: [GROUP],
            apiVersions: ['*'],
            resources: [PLURAL],
            operations: ['CREATE'],
          },
        ],
      },
      validations: [
        {
          // A list of strings in JSON is a CEL list literal.
          expression:
            namespaces.length > 0
              ? `object.metadata.namespace in ${JSON.stringify(namespaces)}`
              : 'true',
          message:
            namespaces.length > 0
              ? `the bitcoin controller serves BitcoinNetworks only in the namespaces ${namespaces.join(', ')} (config key controllerNamespaces)`
              : 'the bitcoin controller serves BitcoinNetworks in every namespace',
          reason: 'Forbidden',
        },
      ],
    },
  });
  const binding = new kplus.k8s.KubeValidatingAdmissionPolicyBinding(
    scope,
    'NamespacePolicyBinding',
    { metadata, spec: { policyName: NETWORK_NAMESPACE_POLICY, validationActions: ['Deny'] } },
  );
  return [policy, binding];
}
