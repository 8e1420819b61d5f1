/** The IngressClassParams CRD that the load balancer controller chart ships in crds/. */
// Just enough schema to store the object; the real CRD's validation is not what we rehearse.
export const INGRESS_CLASS_PARAMS_CRD = JSON.stringify({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'ingressclassparams.elbv2.k8s.aws' },
  spec: {
    group: 'elbv2.k8s.aws',
    scope: 'Cluster',
    names: {
      kind: 'IngressClassParams',
      listKind: 'IngressClassParamsList',
      plural: 'ingressclassparams',
      singular: 'ingressclassparams',
    },
    versions: [
      {
        name: 'v1beta1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        },
      },
    ],
  },
});
