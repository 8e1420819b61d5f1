import { ControllerProcess } from '../../../tools/bitcoin/controller-process';

const chartLike = {
  name: 'bitcoin-controller-abc',
  logFile: '/dev/null',
  kubeconfig: '/dev/null',
  args: [],
  argsAsGiven: true,
};

describe('ControllerProcess options', () => {
  test('args as given refuse the options that would add flags, naming them', () => {
    expect(
      () => new ControllerProcess({ ...chartLike, healthPort: 8081, workers: 2, logLevel: 'warn' }),
    ).toThrow('workers, logLevel cannot be set with argsAsGiven, which adds no flags');
  });

  test('args as given need the health port they serve on', () => {
    expect(() => new ControllerProcess(chartLike)).toThrow(
      'healthPort must be set with argsAsGiven: the port those args serve on',
    );
  });
});
