import type { EbsVolumes, ExecutorContext } from '../../../../tools/rehearsal/executors';
import { deploy, destroy, StackState } from '../../../../tools/rehearsal/lifecycle';
import type { TaggedVolume } from '../../../../tools/rehearsal/standins/ec2-volumes';

const CLUSTER = 'bitcoin-platform';
const TAG_KEY = 'eks-bitcoin-platform/cluster';
/** What the EBS CSI driver puts on every volume, whatever its configuration. */
const DRIVER_TAGS = {
  'ebs.csi.aws.com/cluster': 'true',
  CSIVolumeName: 'pvc-1',
  'kubernetes.io/created-for/pvc/namespace': 'bitcoin',
};

// The waiter as the stack declares it: only its Delete does anything.
const TEMPLATE = {
  Resources: {
    VolumesReleased: {
      Type: 'Custom::EbsVolumesReleased',
      Properties: { ClusterName: CLUSTER, TagKey: TAG_KEY, TagValue: CLUSTER },
    },
  },
};

/** Destroys a stack of just the waiter, with these volumes in EC2 and none ever deleted. */
async function destroyWith(volumes: TaggedVolume[]) {
  const ebs: EbsVolumes = {
    start: () => undefined,
    stop: async () => undefined,
    volumes: () => volumes,
  };
  // No wait: one look at EC2, as the handler's first round.
  const ctx = { ebs, volumesReleasedTimeoutMs: 0, handler: {} } as unknown as ExecutorContext;
  const state = new StackState();
  await deploy(state, TEMPLATE, 'create', ctx);
  const [step] = (await destroy(state, 'destroy', ctx)).steps;
  return step;
}

describe("the EBS-volumes waiter's step, with the handler's own choice of volumes", () => {
  test('waits for a volume made before the add-on had the cluster tag', async () => {
    const step = await destroyWith([{ id: 'vol-legacy', tags: DRIVER_TAGS }]);
    expect(step).toMatchObject({
      outcome: 'failed',
      error: 'EBS volumes still exist after 0s: vol-legacy',
    });
  });

  test('waits for a volume with the cluster tag', async () => {
    const step = await destroyWith([
      { id: 'vol-new', tags: { ...DRIVER_TAGS, [TAG_KEY]: CLUSTER } },
    ]);
    expect(step).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/vol-new$/) });
  });

  test("does not wait for another cluster's tagged volume, nor one the driver did not make", async () => {
    const step = await destroyWith([
      { id: 'vol-theirs', tags: { ...DRIVER_TAGS, [TAG_KEY]: 'other-cluster' } },
      { id: 'vol-static', tags: { Name: 'bitcoin-data' } },
    ]);
    expect(step).toMatchObject({ outcome: 'succeeded' });
  });
});
