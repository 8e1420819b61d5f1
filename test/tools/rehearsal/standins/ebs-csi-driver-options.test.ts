import { EbsCsiDriverStandIn } from '../../../../tools/rehearsal/standins/ebs-csi-driver';

test('the EBS driver stand-in refuses a cluster name EKS would not accept', () => {
  expect(() => new EbsCsiDriverStandIn('unused.kubeconfig', { clusterName: '' })).toThrow(
    'clusterName must be an EKS cluster name (letters, digits, - and _), got ""',
  );
  expect(() => new EbsCsiDriverStandIn('unused.kubeconfig', { clusterName: 'a/b' })).toThrow(
    'got "a/b"',
  );
});
