/** What goes with the cluster on destroy, and what outlives it. */
import {
  afterClusterDeletion,
  loadBalancerHolders,
} from '../../../tools/rehearsal/cluster-deletion';

const crd = {
  kind: 'apiextensions.k8s.io/CustomResourceDefinition',
  name: 'ingressclassparams.elbv2.k8s.aws',
};
const pv = { kind: 'PersistentVolume', name: 'pvc-1' };
const claim = { kind: 'PersistentVolumeClaim', namespace: 'bitcoin', name: 'data-stored-0' };

test('what is still in the cluster when it is deleted goes with it and is no leftover', () => {
  expect(afterClusterDeletion({ objects: [crd], outliving: [], clusterDeleted: true })).toEqual({
    wentWithCluster: [
      'apiextensions.k8s.io/CustomResourceDefinition ingressclassparams.elbv2.k8s.aws',
    ],
    leftovers: [],
  });
});

test('an EBS volume outlives the cluster, and so do the volume and claim that hold it', () => {
  const outliving = [
    {
      description: 'EBS volume vol-1',
      heldBy: ['PersistentVolume pvc-1', 'PersistentVolumeClaim bitcoin/data-stored-0'],
    },
  ];
  expect(
    afterClusterDeletion({ objects: [crd, pv, claim], outliving, clusterDeleted: true }),
  ).toEqual({
    wentWithCluster: [
      'apiextensions.k8s.io/CustomResourceDefinition ingressclassparams.elbv2.k8s.aws',
    ],
    leftovers: [
      'EBS volume vol-1 (held by PersistentVolume pvc-1, PersistentVolumeClaim bitcoin/data-stored-0)',
      'PersistentVolume pvc-1',
      'PersistentVolumeClaim bitcoin/data-stored-0',
    ],
  });
});

test('a load balancer outlives the cluster, naming what it serves', () => {
  const outliving = [
    {
      description: 'network load balancer k8s-web.elb',
      heldBy: loadBalancerHolders(['Ingress web/site', 'Service web/alpine']),
    },
  ];
  expect(afterClusterDeletion({ objects: [], outliving, clusterDeleted: true }).leftovers).toEqual([
    'network load balancer k8s-web.elb (held by networking.k8s.io/Ingress web/site, Service web/alpine)',
  ]);
});

test('when destroy never deleted the cluster, everything left is a leftover', () => {
  expect(afterClusterDeletion({ objects: [crd], outliving: [], clusterDeleted: false })).toEqual({
    wentWithCluster: [],
    leftovers: ['apiextensions.k8s.io/CustomResourceDefinition ingressclassparams.elbv2.k8s.aws'],
  });
});
