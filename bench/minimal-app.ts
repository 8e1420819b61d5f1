import { App, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as cdk8s from 'cdk8s';
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { DEFAULT_KUBERNETES_MINOR } from '../config';
import { kubectlLayer } from '../lib/kubectl-layers';

/**
 * The library floor for `bench:synth`: the smallest aws-eks-v2 cluster with a kubectl layer
 * and one chart, at the default minor. Whatever the real app costs beyond this is ours. bench/synth.ts runs it with
 * the built-in CloudFormation validator off, as bin/app.ts has it.
 */
const app = new App();
const stack = new Stack(app, 'MinimalEks');
const cluster = new eks.Cluster(stack, 'Cluster', {
  version: eks.KubernetesVersion.of(DEFAULT_KUBERNETES_MINOR),
  kubectlProviderOptions: {
    kubectlLayer: kubectlLayer(stack, 'Kubectl', DEFAULT_KUBERNETES_MINOR),
  },
});
const chart = new Chart(new cdk8s.App(), 'hello');
new kplus.Deployment(chart, 'hello', { containers: [{ image: 'httpd:alpine' }] });
cluster.addCdk8sChart('hello', chart);
app.synth();
