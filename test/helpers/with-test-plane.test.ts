import { LOCAL_CIDRS_ENV } from '../../tools/netns/detect';
import { SKIP_ENV } from '../../tools/testplane/skip';
import { withTestPlane } from './with-test-plane';

test('a plane suite outside a network namespace fails at once and says how to run it', () => {
  const saved = { cidrs: process.env[LOCAL_CIDRS_ENV], skip: process.env[SKIP_ENV] };
  delete process.env[LOCAL_CIDRS_ENV];
  delete process.env[SKIP_ENV];
  try {
    expect(() => withTestPlane('outside', () => undefined)).toThrow(
      /^not inside a network namespace of tools\/netns: .*; run `npm run test:plane -- <test file>`$/,
    );
  } finally {
    if (saved.cidrs !== undefined) process.env[LOCAL_CIDRS_ENV] = saved.cidrs;
    if (saved.skip !== undefined) process.env[SKIP_ENV] = saved.skip;
  }
});
