import { requireNetworkNamespace } from '../../tools/netns/detect';
import { TestPlane, PlaneOptions, POD_RANGE, startTestPlane } from '../../tools/testplane/plane';
import { SKIP_ENV } from '../../tools/testplane/skip';

// Cold start on 2 busy cores: etcd, apiserver, controllers, nodes Ready.
const START_TIMEOUT_MS = 180_000;

/**
 * A `describe` block with its own control plane, started once before its tests and stopped
 * after them. `body` gets an accessor rather than the plane itself because the plane only
 * exists once `beforeAll` has run.
 *
 * The suite must run in a network namespace of tools/netns (`npm test` and `npm run test:plane`
 * do), where pod IPs answer as in a cluster; the file fails at once otherwise.
 */
export function withTestPlane(
  name: string,
  body: (plane: () => TestPlane) => void,
  options: PlaneOptions = {},
): void {
  if (process.env[SKIP_ENV] === '1') {
    // Straight to stderr: jest does not show console output of a file whose tests all skip.
    process.stderr.write(
      [
        '#'.repeat(78),
        `# SKIPPED: test-plane suite "${name}" (${SKIP_ENV}=1).`,
        '# Nothing in it was checked against a real kube-apiserver.',
        '#'.repeat(78),
        '',
      ].join('\n'),
    );
    describe.skip(name, () => body(notStarted));
    return;
  }
  requireNetworkNamespace(POD_RANGE, '`npm run test:plane -- <test file>`');
  describe(name, () => {
    let plane: TestPlane | undefined;
    beforeAll(async () => {
      plane = await startTestPlane(options);
    }, START_TIMEOUT_MS);
    afterAll(() => plane?.stop(), 60_000);
    body(() => plane ?? notStarted());
  });
}

function notStarted(): never {
  throw new Error('the control plane did not start; see the beforeAll error');
}
