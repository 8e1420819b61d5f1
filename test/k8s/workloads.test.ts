import { EVERYTHING, TARGETS, chartsOf, find, ofKind, selects } from '../helpers/k8s';

describe.each(TARGETS)('workloads chart, %s target', (target) => {
  const objects = chartsOf(target, EVERYTHING).workloads;

  test('httpd sets no replicas: its HPA owns the count, which each deploy would otherwise reset', () => {
    for (const overrides of [{}, { webReplicas: 3 }]) {
      const httpd = find(chartsOf(target, overrides).workloads, 'Deployment', 'httpd');
      expect(httpd.spec).not.toHaveProperty('replicas');
    }
  });

  test('tomcat and alpine run the configured replicas; all three select app=<name>', () => {
    const custom = chartsOf(target, { webReplicas: 3 }).workloads;
    for (const name of ['httpd', 'tomcat', 'alpine']) {
      const deployment = find(objects, 'Deployment', name);
      expect(deployment.metadata.namespace).toBe('web');
      expect(deployment.spec.selector).toEqual({ matchLabels: { app: name } });
      expect(deployment.spec.template.metadata.labels).toMatchObject({
        app: name,
        'app.kubernetes.io/name': name,
        'app.kubernetes.io/part-of': 'platform',
        'app.kubernetes.io/component': 'web',
        'app.kubernetes.io/managed-by': 'cdk8s',
      });
    }
    for (const name of ['tomcat', 'alpine']) {
      expect(find(objects, 'Deployment', name).spec.replicas).toBe(2);
      expect(find(custom, 'Deployment', name).spec.replicas).toBe(3);
    }
  });

  test.each([
    ['httpd', '/httpd/', 80],
    ['tomcat', '/tomcat/', 8080],
    ['alpine', '/', 80],
  ])(
    '%s: readiness asks for its page, liveness only that the process accepts connections on its port',
    (name, page, port) => {
      const [container] = find(objects, 'Deployment', name).spec.template.spec.containers;
      expect(container.readinessProbe.httpGet).toMatchObject({ path: page, port });
      // A slow page takes the pod out of rotation; it does not get the pod restarted.
      expect(container.livenessProbe.httpGet).toBeUndefined();
      expect(container.livenessProbe.exec).toBeUndefined();
      expect(container.livenessProbe.tcpSocket).toEqual({ port });
      expect(container.ports.map((p: { containerPort: number }) => p.containerPort)).toContain(
        port,
      );
    },
  );

  test('httpd and alpine run httpd:alpine, tomcat runs tomcat', () => {
    const image = (name: string) =>
      find(objects, 'Deployment', name).spec.template.spec.containers[0].image;
    expect(image('httpd')).toMatch(/^httpd:2\.4-alpine$/);
    expect(image('alpine')).toMatch(/^httpd:2\.4-alpine$/);
    expect(image('tomcat')).toMatch(/^tomcat:/);
  });

  test.each([
    ['httpd-service', 'ClusterIP', 'httpd', 80],
    ['tomcat-service', 'ClusterIP', 'tomcat', 8080],
    ['alpine-service', 'ClusterIP', 'alpine', 80],
    ['alpine-service-nodeport', 'NodePort', 'alpine', 80],
    ['alpine-service-lb', 'LoadBalancer', 'alpine', 80],
  ])('%s is a %s Service on 8080 that reaches %s on %d', (name, type, app, targetPort) => {
    const service = find(objects, 'Service', name);
    expect(service.metadata.namespace).toBe('web');
    expect(service.spec.type).toBe(type);
    expect(service.spec.ports).toEqual([{ name: 'http', port: 8080, targetPort }]);
    expect(service.spec.selector).toEqual({ app });

    // The selector matches the pods of exactly one Deployment, whose container exposes the port.
    const matching = ofKind(objects, 'Deployment').filter((d) =>
      selects(service.spec.selector, d.spec.template.metadata.labels),
    );
    expect(matching.map((d) => d.metadata.name)).toEqual([app]);
    const ports = matching[0].spec.template.spec.containers.flatMap(
      (c: { ports?: Array<{ containerPort: number }> }) =>
        c.ports?.map((p) => p.containerPort) ?? [],
    );
    expect(ports).toContain(targetPort);
  });

  test('the LoadBalancer Service is opt-in', () => {
    const defaults = chartsOf(target).workloads;
    expect(ofKind(defaults, 'Service').map((s) => s.metadata.name)).not.toContain(
      'alpine-service-lb',
    );
  });

  test('httpd and tomcat serve their own page under the Ingress path', () => {
    const httpd = find(objects, 'Deployment', 'httpd').spec.template.spec;
    expect(httpd.containers[0].volumeMounts).toContainEqual({
      name: 'page',
      mountPath: '/usr/local/apache2/htdocs/httpd/index.html',
      subPath: 'index.html',
      readOnly: true,
    });
    expect(httpd.containers[0].readinessProbe.httpGet).toMatchObject({ path: '/httpd/', port: 80 });

    const tomcat = find(objects, 'Deployment', 'tomcat').spec.template.spec;
    expect(tomcat.containers[0].volumeMounts).toContainEqual({
      name: 'webapp',
      mountPath: '/usr/local/tomcat/webapps/tomcat/index.html',
      subPath: 'index.html',
      readOnly: true,
    });
    expect(tomcat.containers[0].readinessProbe.httpGet).toMatchObject({
      path: '/tomcat/',
      port: 8080,
    });
    expect(find(objects, 'ConfigMap', 'httpd-page').data['index.html']).toContain('<h1>httpd</h1>');
    expect(find(objects, 'ConfigMap', 'tomcat-page').data['index.html']).toContain(
      '<h1>tomcat</h1>',
    );
  });

  test('httpd images run as a high non-root uid and may bind port 80 through the safe sysctl', () => {
    for (const name of ['httpd', 'alpine']) {
      const pod = find(objects, 'Deployment', name).spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10082 });
      expect(pod.securityContext.sysctls).toEqual([
        { name: 'net.ipv4.ip_unprivileged_port_start', value: '80' },
      ]);
      expect(pod.containers[0].volumeMounts).toContainEqual({
        name: 'logs',
        mountPath: '/usr/local/apache2/logs',
      });
    }
  });

  test('tomcat gets writable emptyDirs for everything it writes, and a startup probe', () => {
    const pod = find(objects, 'Deployment', 'tomcat').spec.template.spec;
    const paths = pod.containers[0].volumeMounts.map((m: { mountPath: string }) => m.mountPath);
    for (const dir of ['logs', 'temp', 'work', 'conf/Catalina']) {
      expect(paths).toContain(`/usr/local/tomcat/${dir}`);
    }
    expect(paths).toContain('/tmp');
    expect(pod.containers[0].startupProbe.httpGet.path).toBe('/tomcat/');
  });
});

describe('AWS-specific settings', () => {
  const eks = chartsOf('eks', EVERYTHING).workloads;
  const local = chartsOf('local', EVERYTHING).workloads;

  test('on EKS the LoadBalancer Service is an internet-facing NLB of the AWS LB Controller', () => {
    const lb = find(eks, 'Service', 'alpine-service-lb');
    expect(lb.spec.loadBalancerClass).toBe('service.k8s.aws/nlb');
    expect(lb.metadata.annotations).toEqual({
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
    });
  });

  test('on EKS the ALB health-checks each application page', () => {
    expect(find(eks, 'Service', 'httpd-service').metadata.annotations).toMatchObject({
      'alb.ingress.kubernetes.io/healthcheck-path': '/httpd/',
    });
    expect(find(eks, 'Service', 'tomcat-service').metadata.annotations).toMatchObject({
      'alb.ingress.kubernetes.io/healthcheck-path': '/tomcat/',
    });
  });

  test('the local target carries no AWS annotations or load balancer class', () => {
    for (const service of ofKind(local, 'Service')) {
      expect(service.metadata.annotations).toBeUndefined();
      expect(service.spec.loadBalancerClass).toBeUndefined();
    }
  });
});
