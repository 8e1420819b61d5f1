import { EVERYTHING, TARGETS, chartsOf, find, objectsOf } from '../helpers/k8s';

describe.each(TARGETS)('ingress chart, %s target', (target) => {
  const objects = chartsOf(target).ingress;
  const ingress = find(objects, 'Ingress', 'web');

  test('there is exactly one Ingress, in web, so one load balancer serves every path', () => {
    expect(objects.filter((o) => o.kind === 'Ingress')).toHaveLength(1);
    expect(ingress.metadata.namespace).toBe('web');
    expect(ingress.spec.rules).toHaveLength(1);
    expect(ingress.spec.rules[0].host).toBeUndefined();
  });

  test('/httpd goes to httpd-service:8080 and /tomcat to tomcat-service:8080', () => {
    expect(ingress.spec.rules[0].http.paths).toEqual([
      {
        path: '/httpd',
        pathType: 'Prefix',
        backend: { service: { name: 'httpd-service', port: { number: 8080 } } },
      },
      {
        path: '/tomcat',
        pathType: 'Prefix',
        backend: { service: { name: 'tomcat-service', port: { number: 8080 } } },
      },
    ]);
  });

  test('every backend is a Service in the same namespace with that port', () => {
    const all = objectsOf(target, EVERYTHING);
    for (const p of ingress.spec.rules[0].http.paths) {
      const service = find(all, 'Service', p.backend.service.name);
      expect(service.metadata.namespace).toBe(ingress.metadata.namespace);
      expect(service.spec.ports.map((sp: { port: number }) => sp.port)).toContain(
        p.backend.service.port.number,
      );
    }
  });

  test('no rewrite annotation: the applications serve under their paths themselves', () => {
    const keys = Object.keys(ingress.metadata.annotations ?? {});
    expect(keys.filter((k) => /rewrite/.test(k))).toEqual([]);
  });
});

test('on EKS the Ingress is an internet-facing ALB with IP targets, in one group', () => {
  const ingress = find(chartsOf('eks').ingress, 'Ingress', 'web');
  expect(ingress.spec.ingressClassName).toBe('alb');
  expect(ingress.metadata.annotations).toMatchObject({
    'alb.ingress.kubernetes.io/scheme': 'internet-facing',
    'alb.ingress.kubernetes.io/target-type': 'ip',
    'alb.ingress.kubernetes.io/group.name': 'platform-web',
  });
});

test('locally the Ingress uses the traefik class and no ALB annotations', () => {
  const ingress = find(chartsOf('local').ingress, 'Ingress', 'web');
  expect(ingress.spec.ingressClassName).toBe('traefik');
  expect(ingress.metadata.annotations).toBeUndefined();
});

test('the platform ships no IngressClass: the controller charts own theirs', () => {
  for (const target of TARGETS) {
    expect(objectsOf(target, EVERYTHING).filter((o) => o.kind === 'IngressClass')).toEqual([]);
  }
});
