import { maxUnavailableOf, shapeOf } from '../../../tools/rehearsal/node-group-updates';

const group = {
  Subnets: ['subnet-1', 'subnet-2', 'subnet-3'],
  Version: '1.35',
  AmiType: 'AL2023_x86_64_STANDARD',
  LaunchTemplate: { Id: 'lt-1', Version: '1' },
};

describe('shapeOf', () => {
  test('one zone per subnet, named after the stand-in region', () => {
    expect(shapeOf('Nodegroup', group).zones).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
  });

  test('the image names the minor, and changes with anything the nodes boot from', () => {
    const image = shapeOf('Nodegroup', group).image;
    expect(image).toMatch(/^1\.35-[0-9a-f]{10}$/);
    for (const change of [
      { Version: '1.36' },
      { ReleaseVersion: '1.35.2-20261120' },
      { AmiType: 'AL2023_ARM_64_STANDARD' },
      { LaunchTemplate: { Id: 'lt-1', Version: '2' } },
    ]) {
      expect(shapeOf('Nodegroup', { ...group, ...change }).image).not.toBe(image);
    }
    // Scaling and update settings roll nothing.
    expect(
      shapeOf('Nodegroup', {
        ...group,
        ScalingConfig: { DesiredSize: 3 },
        UpdateConfig: { MaxUnavailable: 2 },
        ForceUpdateEnabled: false,
      }).image,
    ).toBe(image);
  });

  test('a group without Version runs the cluster minor, and says so', () => {
    const { Version: _, ...unversioned } = group;
    expect(shapeOf('Nodegroup', unversioned).image).toMatch(/^cluster-/);
  });

  test('the name is NodegroupName when set, else the logical ID', () => {
    expect(shapeOf('Nodegroup', group).name).toBe('Nodegroup');
    expect(shapeOf('Nodegroup', { ...group, NodegroupName: 'workers' }).name).toBe('workers');
  });

  test('a group without subnets is an error, not a group in no zone', () => {
    expect(() => shapeOf('Nodegroup', { Version: '1.35' })).toThrow(
      'Nodegroup: a node group needs Subnets',
    );
  });
});

describe('maxUnavailableOf', () => {
  test('a count, a percentage, or EKS default of one node', () => {
    expect(maxUnavailableOf({ UpdateConfig: { MaxUnavailable: 2 } })).toBe(2);
    expect(maxUnavailableOf({ UpdateConfig: { MaxUnavailablePercentage: 33 } })).toEqual({
      percent: 33,
    });
    expect(maxUnavailableOf({})).toBe(1);
  });
});
