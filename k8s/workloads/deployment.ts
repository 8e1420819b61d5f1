/** Building blocks the web Deployments share: a page ConfigMap and the Deployment itself. */
import { createHash } from 'node:crypto';
import * as kplus from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import { Namespaces, appLabels } from '../common';

/** A ConfigMap `<name>` holding one `index.html`. */
export function page(scope: Construct, name: string, html: string): kplus.ConfigMap {
  return new kplus.ConfigMap(scope, name, {
    metadata: { name, namespace: Namespaces.WEB, labels: appLabels(name, 'web') },
    data: { 'index.html': html },
  });
}

/** A pod template annotation that changes with the page, so a new page rolls the pods. */
export function pageChecksum(configMap: kplus.ConfigMap): Record<string, string> {
  const digest = createHash('sha256').update(JSON.stringify(configMap.data)).digest('hex');
  return { 'eksplatform.dev/page-sha256': digest.slice(0, 16) };
}

/** A Deployment that selects its pods by `app: <name>` only, as the issue asks. */
export function deployment(
  scope: Construct,
  name: string,
  component: string,
  props: Omit<kplus.DeploymentProps, 'metadata' | 'podMetadata' | 'select'> & {
    readonly podAnnotations?: Record<string, string>;
  },
): kplus.Deployment {
  const labels = appLabels(name, component);
  const { podAnnotations, ...rest } = props;
  const workload = new kplus.Deployment(scope, name, {
    ...rest,
    metadata: { name, namespace: Namespaces.WEB, labels },
    podMetadata: { labels, annotations: podAnnotations },
    select: false,
  });
  workload.select(kplus.LabelSelector.of({ labels: { app: name } }));
  return workload;
}
