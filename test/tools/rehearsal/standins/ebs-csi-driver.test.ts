import { eventually } from '../../../../tools/testplane/lib/eventually';
import { getJson, kubectl } from '../../../../tools/testplane/lib/kubectl';
import { sleep } from '../../../../tools/testplane/lib/process';
import { EbsCsiDriverStandIn } from '../../../../tools/rehearsal/standins/ebs-csi-driver';
import { withTestPlane } from '../../../helpers/with-test-plane';

const NAMESPACE = 'volumes';

const storageClass = (name: string, allowVolumeExpansion: boolean) => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name },
  provisioner: 'ebs.csi.aws.com',
  parameters: { type: 'gp3', 'csi.storage.k8s.io/fstype': 'xfs' },
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'WaitForFirstConsumer',
  allowVolumeExpansion,
});

const claim = (name: string, className: string, storage = '4Gi') => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: NAMESPACE },
  spec: {
    storageClassName: className,
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage } },
  },
});

const podUsing = (claimName: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `uses-${claimName}`, namespace: NAMESPACE },
  spec: {
    containers: [{ name: 'app', image: 'registry.invalid/app:1' }],
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
  },
});

withTestPlane('the EBS CSI driver stand-in', (plane) => {
  // Its own block, so its afterAll stops the stand-in before the plane goes.
  describe('claims of ebs.csi.aws.com classes', () => {
    let driver: EbsCsiDriverStandIn;
    const k = (args: string[], stdin?: string) => kubectl(plane().kubeconfig, args, stdin);
    const create = (object: unknown) => k(['create', '-f', '-'], JSON.stringify(object));
    const getClaim = (name: string) =>
      getJson<any>(plane().kubeconfig, ['pvc', name, '-n', NAMESPACE]);
    const getPv = (name: string) => getJson<any>(plane().kubeconfig, ['pv', name]);

    const bound = async (name: string) => {
      await create(claim(name, name.startsWith('fixed') ? 'fixed' : 'expandable'));
      await create(podUsing(name));
      return eventually(async () => {
        const pvc = await getClaim(name);
        expect(pvc.status.phase).toBe('Bound');
        return pvc;
      });
    };
    const deleteClaimAndPod = async (name: string) => {
      await k(['delete', 'pod', `uses-${name}`, '-n', NAMESPACE, '--wait=true']);
      await k(['delete', 'pvc', name, '-n', NAMESPACE, '--wait=true']);
    };

    beforeAll(async () => {
      await k(['create', 'namespace', NAMESPACE]);
      await eventually(() => k(['get', 'serviceaccount', 'default', '-n', NAMESPACE]));
      await create(storageClass('expandable', true));
      await create(storageClass('fixed', false));
      driver = new EbsCsiDriverStandIn(plane().kubeconfig, { clusterName: 'bitcoin-platform' });
      driver.start({ 'eks-bitcoin-platform/cluster': 'bitcoin-platform' });
    });
    afterAll(() => driver?.stop());

    test('a WaitForFirstConsumer claim stays Pending until a pod using it is scheduled', async () => {
      await create(claim('data', 'expandable'));
      await sleep(2_000);
      expect((await getClaim('data')).status.phase).toBe('Pending');
      expect(driver.volumes()).toEqual([]);

      await create(podUsing('data'));
      const pvc = await eventually(async () => {
        const current = await getClaim('data');
        expect(current.status.phase).toBe('Bound');
        return current;
      });
      // The scheduler binds the pod once the claim is bound, a moment later.
      const pod = await eventually(async () => {
        const current = await getJson<any>(plane().kubeconfig, [
          'pod',
          'uses-data',
          '-n',
          NAMESPACE,
        ]);
        expect(current.spec.nodeName).toBeDefined();
        return current;
      });
      expect(pvc.metadata.annotations['volume.kubernetes.io/selected-node']).toBe(
        pod.spec.nodeName,
      );
      const pv = await getPv(pvc.spec.volumeName);
      expect(pv.spec.csi).toMatchObject({ driver: 'ebs.csi.aws.com', fsType: 'xfs' });
      expect(pv.spec.capacity.storage).toBe('4Gi');
      expect(driver.volumes()).toEqual([
        expect.objectContaining({
          id: pv.spec.csi.volumeHandle,
          sizeGiB: 4,
          pvName: pv.metadata.name,
          claim: { namespace: NAMESPACE, name: 'data' },
          tags: expect.objectContaining({
            'kubernetes.io/cluster/bitcoin-platform': 'owned',
            'eks-bitcoin-platform/cluster': 'bitcoin-platform',
          }),
        }),
      ]);
    });

    test('resizing a bound claim of an expandable class grows the volume, PV and claim', async () => {
      await k([
        'patch',
        'pvc',
        'data',
        '-n',
        NAMESPACE,
        '--type=merge',
        '-p',
        '{"spec":{"resources":{"requests":{"storage":"6Gi"}}}}',
      ]);
      const pvc = await eventually(async () => {
        const current = await getClaim('data');
        expect(current.status.capacity.storage).toBe('6Gi');
        return current;
      });
      expect((await getPv(pvc.spec.volumeName)).spec.capacity.storage).toBe('6Gi');
      expect(driver.volumes().map((v) => v.sizeGiB)).toEqual([6]);
    });

    test('the apiserver refuses to resize a claim whose class does not allow expansion', async () => {
      await bound('fixed-data');
      await expect(
        k([
          'patch',
          'pvc',
          'fixed-data',
          '-n',
          NAMESPACE,
          '--type=merge',
          '-p',
          '{"spec":{"resources":{"requests":{"storage":"6Gi"}}}}',
        ]),
      ).rejects.toThrow(
        /only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize/,
      );
      await deleteClaimAndPod('fixed-data');
    });

    test('a volume keeps the tags of the add-on configuration it was made under', async () => {
      const CLUSTER_TAG = { 'eks-bitcoin-platform/cluster': 'bitcoin-platform' };
      const tagsOf = (pvName: string) => driver.volumes().find((v) => v.pvName === pvName)?.tags;
      // As at 70ff91b: an add-on without configuration values, then the upgrade's.
      driver.start({});
      const untagged = (await bound('made-untagged')).spec.volumeName;
      driver.start(CLUSTER_TAG);
      const tagged = (await bound('made-tagged')).spec.volumeName;
      expect(tagsOf(untagged)).not.toHaveProperty('eks-bitcoin-platform/cluster');
      expect(tagsOf(untagged)).toHaveProperty(['ebs.csi.aws.com/cluster'], 'true');
      expect(tagsOf(tagged)).toMatchObject(CLUSTER_TAG);
      await deleteClaimAndPod('made-untagged');
      await deleteClaimAndPod('made-tagged');
    });

    test('deleting a claim deletes its PV and its volume', async () => {
      const pvName = (await getClaim('data')).spec.volumeName;
      await deleteClaimAndPod('data');
      await eventually(async () => {
        await expect(getPv(pvName)).rejects.toThrow(/NotFound/);
        expect(driver.volumes().map((v) => v.pvName)).not.toContain(pvName);
      });
      await eventually(async () => expect(driver.volumes()).toEqual([]));
    });

    test('after stop(), a deleted claim leaves its PV Released and its volume behind', async () => {
      const pvName = (await bound('kept')).spec.volumeName;
      await driver.stop();
      await deleteClaimAndPod('kept');
      await eventually(async () => expect((await getPv(pvName)).status.phase).toBe('Released'));
      await sleep(2_000);
      expect((await getPv(pvName)).status.phase).toBe('Released');
      expect(driver.volumes().map((v) => v.pvName)).toEqual([pvName]);
    });
  });
});
