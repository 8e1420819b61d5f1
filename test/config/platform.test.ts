import { ConfigError, ThroughputVolume, loadConfig } from '../../config';

function platform(context: Record<string, unknown>) {
  return loadConfig((key) => context[key]).platform;
}

describe('platform config', () => {
  test('defaults: 2 replicas, no replica hand-over, no load balancer, 4Gi demo volume, no throughput volume', () => {
    expect(platform({})).toEqual({
      webReplicas: 2,
      releaseHttpdReplicas: false,
      alpineLoadBalancer: false,
      demoVolumeSize: '4Gi',
      throughputVolume: ThroughputVolume.NONE,
      throughputVolumeSize: '125Gi',
      staticVolumeId: undefined,
      staticVolumeZone: undefined,
    });
  });

  test('command-line strings are read like their JSON values', () => {
    expect(
      platform({
        webReplicas: '3',
        alpineLoadBalancer: 'true',
        throughputVolume: 'cold',
        throughputVolumeSize: '1Ti',
        staticVolumeId: 'vol-0123456789abcdef0',
        staticVolumeZone: 'eu-west-1b',
      }),
    ).toMatchObject({
      webReplicas: 3,
      alpineLoadBalancer: true,
      throughputVolume: ThroughputVolume.COLD,
      throughputVolumeSize: '1Ti',
      staticVolumeId: 'vol-0123456789abcdef0',
    });
  });

  test.each([
    ['webReplicas', -1, /"webReplicas": got -1; expected a whole number from 1 to 20/],
    ['webReplicas', '-2', /"webReplicas": got "-2"/],
    ['webReplicas', 0, /"webReplicas": got 0/],
    ['webReplicas', 2.5, /"webReplicas": got 2.5/],
    ['webReplicas', 'two', /"webReplicas": got "two"/],
    [
      'throughputVolume',
      'gp9',
      /"throughputVolume": got "gp9"; expected one of "none", "st1", "cold"/,
    ],
    ['throughputVolume', 'sc1', /"throughputVolume": got "sc1"/],
    ['demoVolumeSize', '4GB', /"demoVolumeSize": got "4GB"; expected a size like "4Gi"/],
    ['demoVolumeSize', '4', /"demoVolumeSize": got "4"/],
    ['demoVolumeSize', '-4Gi', /"demoVolumeSize": got "-4Gi"/],
    ['demoVolumeSize', 4, /"demoVolumeSize": got 4/],
    ['throughputVolumeSize', '125G', /"throughputVolumeSize": got "125G"/],
    [
      'throughputVolumeSize',
      '100Gi',
      /"throughputVolumeSize": got "100Gi"; expected at least 125Gi/,
    ],
    ['throughputVolumeSize', '127999Mi', /"throughputVolumeSize": got "127999Mi"/],
    ['alpineLoadBalancer', 'yes', /"alpineLoadBalancer": got "yes"; expected true or false/],
    ['staticVolumeId', 'vol-XYZ', /"staticVolumeId": got "vol-XYZ"/],
    [
      'staticVolumeZone',
      'eu-west-1',
      /"staticVolumeZone": got "eu-west-1"; expected an availability zone like "eu-west-1a"/,
    ],
  ])('%s = %p fails with a message naming the key', (key, value, message) => {
    const load = () => platform({ [key]: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });

  // The storage and workloads charts once checked these themselves; config now owns them.
  test.each([
    [
      'webReplicas',
      0,
      'Invalid config "webReplicas": got 0; expected a whole number from 1 to 20.',
    ],
    [
      'throughputVolumeSize',
      '100Gi',
      'Invalid config "throughputVolumeSize": got "100Gi"; expected at least 125Gi and at most 16384Gi (the st1/sc1 limits).',
    ],
    [
      'demoVolumeSize',
      '4GB',
      'Invalid config "demoVolumeSize": got "4GB"; expected a size like "4Gi" (a positive whole number with Mi, Gi or Ti).',
    ],
  ])('%s = %p is refused before any chart sees it', (key, value, message) => {
    expect(() => platform({ [key]: value })).toThrow(message);
  });

  // Values that passed validation before and then failed at deploy.
  test.each([
    [
      { demoVolumeSize: '65Ti' },
      'Invalid config "demoVolumeSize": got "65Ti"; expected at most 65536Gi (the gp3 maximum).',
    ],
    [
      { throughputVolume: 'st1', throughputVolumeSize: '16385Gi' },
      'Invalid config "throughputVolumeSize": got "16385Gi"; expected at least 125Gi and at most 16384Gi (the st1/sc1 limits).',
    ],
    [
      { staticVolumeId: 'vol-0123456789abcdef0' },
      'Invalid config "staticVolumeZone": got undefined; expected the availability zone of staticVolumeId (vol-0123456789abcdef0), like "eu-west-1a".',
    ],
    [
      { staticVolumeZone: 'eu-west-1a' },
      'Invalid config "staticVolumeZone": got "eu-west-1a"; expected unset while staticVolumeId is unset.',
    ],
  ])('%p fails at synth with one line', (context, message) => {
    expect(() => platform(context)).toThrow(ConfigError);
    expect(() => platform(context)).toThrow(message);
  });

  test('the largest volumes EBS has are accepted', () => {
    expect(platform({ demoVolumeSize: '64Ti' }).demoVolumeSize).toBe('64Ti');
    expect(platform({ throughputVolumeSize: '16Ti' }).throughputVolumeSize).toBe('16Ti');
  });

  test('exactly 125Gi, in any unit, is accepted for st1/sc1', () => {
    expect(platform({ throughputVolumeSize: '125Gi' }).throughputVolumeSize).toBe('125Gi');
    expect(platform({ throughputVolumeSize: '128000Mi' }).throughputVolumeSize).toBe('128000Mi');
  });
});
