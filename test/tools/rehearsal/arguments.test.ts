import { parseArguments, USAGE } from '../../../tools/rehearsal/arguments';

describe('the rehearsal command line', () => {
  test('no arguments: the update table runs, no overrides, no earlier template', () => {
    expect(parseArguments([])).toEqual({ context: {}, updates: true });
  });

  test('-c pairs, --no-updates and --from, in any order', () => {
    expect(
      parseArguments([
        '--from',
        '70ff91b',
        '-c',
        'webReplicas=3',
        '--no-updates',
        '--context',
        'a=b',
      ]),
    ).toEqual({ context: { webReplicas: '3', a: 'b' }, updates: false, from: '70ff91b' });
  });

  test('--from a template file keeps the path as given', () => {
    expect(parseArguments(['--from', 'cdk.out/BitcoinPlatform.template.json']).from).toBe(
      'cdk.out/BitcoinPlatform.template.json',
    );
  });

  test('--from without a value is refused with the usage', () => {
    expect(() => parseArguments(['--from'])).toThrow(`unexpected argument "--from"; ${USAGE}`);
    expect(() => parseArguments(['--from', ''])).toThrow(`unexpected argument "--from"; ${USAGE}`);
  });

  test('--from twice is refused', () => {
    expect(() => parseArguments(['--from', 'a', '--from', 'b'])).toThrow(
      `--from given twice; ${USAGE}`,
    );
  });

  test('an unknown argument is refused, naming it', () => {
    expect(() => parseArguments(['--form', 'x'])).toThrow(`unexpected argument "--form"; ${USAGE}`);
  });

  test('a -c pair without = is refused', () => {
    expect(() => parseArguments(['-c', 'webReplicas'])).toThrow(
      '-c takes key=value, got "webReplicas"',
    );
  });
});
