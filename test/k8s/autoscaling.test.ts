import { TARGETS, chartsOf, find, objectsOf } from '../helpers/k8s';

describe.each(TARGETS)('autoscaling chart, %s target', (target) => {
  const hpa = find(chartsOf(target).autoscaling, 'HorizontalPodAutoscaler', 'httpd');

  test('is an autoscaling/v2 HPA on the httpd Deployment, 1 to 10 replicas at 50% CPU', () => {
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.metadata.namespace).toBe('web');
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'httpd',
    });
    expect(hpa.spec.minReplicas).toBe(1);
    expect(hpa.spec.maxReplicas).toBe(10);
    expect(hpa.spec.metrics).toEqual([
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
      },
    ]);
  });

  test('its target exists in the same namespace and requests CPU, which utilisation needs', () => {
    const deployment = find(objectsOf(target), 'Deployment', hpa.spec.scaleTargetRef.name);
    expect(deployment.metadata.namespace).toBe(hpa.metadata.namespace);
    for (const c of deployment.spec.template.spec.containers) {
      expect(c.resources.requests.cpu).toBeDefined();
    }
  });
});
