/**
 * The facts of the web workloads that other charts and the tests refer to: images, Service
 * names, the Service port and the paths the applications answer under.
 */

/** Images, pinned to a release line. `httpd:2.4-alpine` is the image the issue calls `httpd:alpine`. */
export const Images = {
  HTTPD: 'httpd:2.4-alpine',
  TOMCAT: 'tomcat:11.0-jre21',
} as const;

/** Names of the Services; the Ingress and the tests refer to them. */
export const ServiceNames = {
  HTTPD: 'httpd-service',
  TOMCAT: 'tomcat-service',
  ALPINE: 'alpine-service',
  ALPINE_NODEPORT: 'alpine-service-nodeport',
  ALPINE_LB: 'alpine-service-lb',
} as const;

/** Every Service listens on 8080, as in the source documents. */
export const SERVICE_PORT = 8080;

/**
 * Where each application serves its own page. The ALB cannot rewrite paths, so instead of a
 * rewrite the applications are configured to answer under the Ingress path.
 */
export const AppPaths = {
  HTTPD: '/httpd/',
  TOMCAT: '/tomcat/',
} as const;

/** The `loadBalancerClass` that hands a Service to the AWS Load Balancer Controller as an NLB. */
export const NLB_LOAD_BALANCER_CLASS = 'service.k8s.aws/nlb';
