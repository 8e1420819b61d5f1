import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createAddon } from '../../../../tools/rehearsal/standins/addons';
import { AggregatedApiStandIn } from '../../../../tools/rehearsal/standins/aggregated-apis';
import { eventually } from '../../../../tools/testplane/lib/eventually';
import { getJson, kubectl } from '../../../../tools/testplane/lib/kubectl';
import { createPki } from '../../../../tools/testplane/lib/pki';
import { withTestPlane } from '../../../helpers/with-test-plane';

const available = (apiService: any) =>
  apiService.status?.conditions?.find((c: any) => c.type === 'Available');

withTestPlane('the aggregated API stand-in', (plane) => {
  // Its own block, so its afterAll stops the stand-in before the plane goes.
  describe('with the metrics-server add-on', () => {
    let aggregated: AggregatedApiStandIn;
    const k = (args: string[]) => kubectl(plane().kubeconfig, args);
    const apiService = () =>
      getJson<any>(plane().kubeconfig, ['apiservice', 'v1beta1.metrics.k8s.io']);

    beforeAll(async () => {
      await createAddon(plane().kubeconfig, 'metrics-server');
      await k(['rollout', 'status', 'deployment/metrics-server', '-n', 'kube-system']);
      const pki = createPki(fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-ca-')));
      aggregated = new AggregatedApiStandIn(plane().kubeconfig, pki);
    });
    afterAll(() => aggregated?.stop());

    test('without it, the metrics APIService fails its discovery check', async () => {
      await eventually(async () =>
        expect(available(await apiService())).toMatchObject({
          status: 'False',
          reason: 'FailedDiscoveryCheck',
        }),
      );
    });

    test('with it, the APIService is Available and lists the metrics resources', async () => {
      aggregated.start();
      await eventually(
        async () => expect(available(await apiService())).toMatchObject({ status: 'True' }),
        60_000,
      );
      const list = JSON.parse(await k(['get', '--raw', '/apis/metrics.k8s.io/v1beta1']));
      expect(list.resources.map((r: any) => r.name)).toEqual(['nodes', 'pods']);
      expect(aggregated.serving()).toEqual([expect.stringMatching(/^10\.\d+\.\d+\.\d+:10250$/)]);
    });

    test('a deleted namespace is then finalized instead of staying Terminating', async () => {
      await k(['create', 'namespace', 'short-lived']);
      await k(['delete', 'namespace', 'short-lived', '--timeout=60s']);
      expect(await k(['get', 'namespace', 'short-lived', '-o', 'name', '--ignore-not-found'])).toBe(
        '',
      );
    });
  });
});
