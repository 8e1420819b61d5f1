import { FakeKube } from '../../../controller/testing/kube';
import { kubeApiContract } from './kube-api-contract';

describe('FakeKube meets the KubeApi contract', () => {
  const kube = new FakeKube();
  kubeApiContract(() => ({
    api: kube,
    namespace: 'contract',
    addNetwork: async (network) => {
      kube.seed('bitcoinnetworks', network);
    },
  }));
});
