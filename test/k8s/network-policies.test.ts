import { PLATFORM_TARGETS } from '../../k8s/common';
import { K8sObject, chartsOf, find, ofKind } from '../helpers/k8s';

describe.each(PLATFORM_TARGETS)('network policies of the %s target', (target) => {
  const charts = chartsOf(target);
  const policies = ofKind(Object.values(charts).flat(), 'NetworkPolicy');
  const inNamespace = (ns: string) => policies.filter((p) => p.metadata.namespace === ns);

  test.each(['web', 'storage-demo'])('%s denies all ingress by default', (ns) => {
    const deny = inNamespace(ns).find((p) => p.metadata.name === 'deny-all-ingress') as K8sObject;
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
  });

  test('storage-demo opens nothing but DNS', () => {
    expect(inNamespace('storage-demo').map((p) => p.metadata.name)).toEqual([
      'deny-all-ingress',
      'deny-all-egress',
      'allow-dns',
    ]);
  });

  test.each([
    ['httpd', 80],
    ['tomcat', 8080],
    ['alpine', 80],
  ])('web opens only the port %s serves, to its own pods', (app, port) => {
    const policy = find(policies, 'NetworkPolicy', `allow-${app}-http`);
    const deployment = find(charts.workloads, 'Deployment', app);
    const podLabels = deployment.spec.template.metadata.labels;
    for (const [key, value] of Object.entries(policy.spec.podSelector.matchLabels)) {
      expect(podLabels[key]).toBe(value);
    }
    expect(policy.spec.ingress).toEqual([{ ports: [{ protocol: 'TCP', port }] }]);
    const containerPorts = deployment.spec.template.spec.containers[0].ports.map(
      (p: { containerPort: number }) => p.containerPort,
    );
    expect(containerPorts).toContain(port);
  });
});
