/**
 * The client-node adapter against a real kube-apiserver, through the same contract the fake
 * meets (`kube-api-contract.ts`).
 */
import { KubeConfig } from '@kubernetes/client-node';
import { BITCOIN_NETWORK_CRD_FILE } from '../../../k8s/bitcoin-crd-chart';
import { ApiClients } from '../../../controller/kube/api-clients';
import { clientNodeKubeApi } from '../../../controller/kube/client';
import { SharedAgents } from '../../../controller/kube/keep-alive';
import { ClientNodeLeaseApi } from '../../../controller/kube/lease-client';
import { kubectl } from '../../../tools/testplane/lib/kubectl';
import { withTestPlane } from '../../helpers/with-test-plane';
import { ContractSubject, kubeApiContract } from './kube-api-contract';

const NAMESPACE = 'contract';

withTestPlane('the client-node adapter meets the KubeApi contract', (plane) => {
  let subject: ContractSubject | undefined;
  const agents = new SharedAgents();

  beforeAll(async () => {
    const { kubeconfig } = plane();
    await kubectl(kubeconfig, ['apply', '-f', BITCOIN_NETWORK_CRD_FILE]);
    await kubectl(kubeconfig, [
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/bitcoinnetworks.bitcoin.eksplatform.dev',
    ]);
    await kubectl(kubeconfig, ['create', 'namespace', NAMESPACE]);
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const clients = new ApiClients(kc, agents);
    subject = {
      api: { ...clientNodeKubeApi(clients), ...leaseCalls(new ClientNodeLeaseApi(clients)) },
      namespace: NAMESPACE,
      addNetwork: async (network) => {
        await kubectl(kubeconfig, ['create', '-f', '-'], JSON.stringify(network));
      },
    };
  }, 120_000);
  afterAll(() => agents.destroy());

  kubeApiContract(() => {
    if (!subject) throw new Error('the contract subject was not set up; see beforeAll');
    return subject;
  });
});

/** The LeaseApi's calls as own properties, so they can be spread next to the KubeApi's. */
function leaseCalls(api: ClientNodeLeaseApi) {
  return {
    getLease: api.getLease.bind(api),
    createLease: api.createLease.bind(api),
    replaceLease: api.replaceLease.bind(api),
  };
}
