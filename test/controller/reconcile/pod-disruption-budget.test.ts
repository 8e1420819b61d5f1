import { desiredPodDisruptionBudgetSpec } from '../../../controller/reconcile/desired/pod-disruption-budget';
import { allowedDisruptions } from '../../helpers/disruption';

const network = (nodes: number) => ({
  apiVersion: 'bitcoin.eksplatform.dev/v1alpha1',
  kind: 'BitcoinNetwork',
  metadata: { name: 'net', namespace: 'bitcoin' },
  spec: { nodes },
});

test.each([1, 2, 3, 50])(
  'a network of %i node(s) can be drained one bitcoind at a time, never none',
  (nodes) => {
    const spec = desiredPodDisruptionBudgetSpec(network(nodes) as never);
    expect(allowedDisruptions(spec, nodes)).toBe(1);
    expect(spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
  },
);
