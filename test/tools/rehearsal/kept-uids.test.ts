import { everyObjectKept } from '../../../tools/rehearsal/kept-uids';

const POLICY = 'networking.k8s.io/NetworkPolicy web/allow-dns';
const DEPLOYMENT = 'apps/Deployment web/httpd';
const OLD = 'policy/PodDisruptionBudget web/old';

describe('every object both templates have keeps its uid', () => {
  const before = new Map([
    [POLICY, 'uid-1'],
    [DEPLOYMENT, 'uid-2'],
    [OLD, 'uid-3'],
  ]);
  const earlier = new Set([POLICY, DEPLOYMENT, OLD]);
  const current = new Set([POLICY, DEPLOYMENT]);

  test('passes when each kept object has its uid, and lists what the chart dropped', () => {
    const check = everyObjectKept({ before, after: new Map(before), earlier, current });
    expect(check).toEqual({
      name: 'every object both templates have keeps its uid',
      ok: true,
      detail: `2 of 2 kept; dropped by the chart: ${OLD}`,
    });
  });

  test('fails naming an object made again and one deleted', () => {
    const after = new Map([[POLICY, 'uid-9']]);
    const check = everyObjectKept({ before, after, earlier, current });
    expect(check.ok).toBe(false);
    expect(check.detail).toBe(
      `${DEPLOYMENT} deleted, ${POLICY} recreated; 0 of 2 kept; dropped by the chart: ${OLD}`,
    );
  });
});
