/** Test helpers: the template's Helm releases with their values resolved, and the layer's helm. */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Intrinsics } from '../../../../tools/rehearsal/intrinsics';
import { synthTemplate } from '../../../../tools/rehearsal/template';
import { isExtracted, kubectlLayer } from '../../../../tools/setup/kubectl-layer';

export interface TemplateRelease {
  readonly chart: string;
  readonly version: string;
  readonly release: string;
  readonly namespace: string;
  readonly values: Record<string, any>;
}

/** Every Custom::AWSCDK-EKS-HelmChart of the synthesised stack, intrinsics resolved. */
export function templateReleases(): TemplateRelease[] {
  const template = synthTemplate();
  const intrinsics = new Intrinsics(template);
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'Custom::AWSCDK-EKS-HelmChart')
    .map(([id, r]) => {
      const props = intrinsics.resolve(r.Properties, id) as Record<string, any>;
      return {
        chart: props.Chart,
        version: props.Version,
        release: props.Release,
        namespace: props.Namespace,
        values: JSON.parse(props.Values),
      };
    });
}

/**
 * The kubectl layer's helm with its own config, cache and data folders, trusting `caCert` as
 * the rehearsal's handler does (SSL_CERT_FILE).
 */
export function layerHelm(kubeconfig: string, caCert: string) {
  const layer = kubectlLayer();
  if (!isExtracted(layer)) {
    throw new Error(`the kubectl layer's helm is not in ${layer.dir}; run \`npm run setup\``);
  }
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-home-'));
  const env = {
    PATH: process.env.PATH,
    // client-go's discovery cache goes under $HOME/.kube: keep it in the throwaway folder.
    HOME: home,
    KUBECONFIG: kubeconfig,
    SSL_CERT_FILE: caCert,
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_DATA_HOME: path.join(home, 'data'),
  };
  return (args: readonly string[], stdin?: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const child = execFile(
        layer.helm,
        args,
        { env, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) =>
          err
            ? reject(new Error(`helm ${args.join(' ')} failed: ${stderr.trim()}`))
            : resolve(stdout),
      );
      child.stdin?.end(stdin);
    });
}
