import { EVERYTHING, TARGETS, chartsOf } from '../helpers/k8s';

// One snapshot per chart and target, with the defaults and with every opt-in feature on.
// The objects have fixed names, so a snapshot changes only when a manifest really does.
describe.each(TARGETS)('%s target', (target) => {
  const variants = { defaults: {}, 'every opt-in': EVERYTHING };
  describe.each(Object.entries(variants))('with %s', (_variant, overrides) => {
    const charts = chartsOf(target, overrides);
    test.each(Object.keys(charts))('the %s chart matches its snapshot', (name) => {
      expect(charts[name]).toMatchSnapshot();
    });
  });
});
