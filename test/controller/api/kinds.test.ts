import {
  apiVersionOf,
  CHILD_KINDS,
  KIND_NAMES,
  kindOfPlural,
  KINDS,
} from '../../../controller/api';
import { ApiClients } from '../../../controller/kube/api-clients';
import { clientNodeKubeApi } from '../../../controller/kube/client';
import { SharedAgents } from '../../../controller/kube/keep-alive';
import { kindCalls, listerName } from '../../../controller/kube/kinds';
import { API_METHODS } from '../../../controller/runtime/metered';
import { FakeKube } from '../../../controller/testing/kube';
import { unreachableKubeConfig } from '../fixtures';

function clients(): ApiClients {
  return new ApiClients(unreachableKubeConfig(), new SharedAgents());
}

describe('the kinds table', () => {
  test.each(KIND_NAMES)(
    '%s: its calls exist on the client-node adapter and the fake, and are metered',
    (kind) => {
      const real = clientNodeKubeApi(clients()) as unknown as Record<string, unknown>;
      const fake = new FakeKube() as unknown as Record<string, unknown>;
      for (const { method, verb } of kindCalls(kind)) {
        expect(typeof real[method]).toBe('function');
        expect(typeof fake[method]).toBe('function');
        expect(API_METHODS[method as keyof typeof API_METHODS]).toEqual([verb, KINDS[kind].plural]);
      }
    },
  );

  test('gives every child kind a lister on the fake, named after the kind', () => {
    const fake = new FakeKube() as unknown as Record<string, unknown>;
    expect(CHILD_KINDS.map(listerName)).toEqual([
      'statefulSet',
      'service',
      'secret',
      'networkPolicy',
      'podDisruptionBudget',
    ]);
    for (const kind of CHILD_KINDS) expect(typeof fake[listerName(kind)]).toBe('function');
  });

  test('turns the calls of a row into get, create and patch as its verbs allow', () => {
    expect(kindCalls('Secret').map((c) => c.method)).toEqual([
      'getSecret',
      'createSecret',
      'patchSecret',
    ]);
    expect(kindCalls('Pod')).toEqual([]);
    expect(kindCalls('Event').map((c) => c.method)).toEqual(['createEvent']);
  });

  test('names API versions and finds kinds by plural', () => {
    expect(apiVersionOf('StatefulSet')).toBe('apps/v1');
    expect(apiVersionOf('Secret')).toBe('v1');
    expect(kindOfPlural('poddisruptionbudgets')).toBe('PodDisruptionBudget');
    expect(() => kindOfPlural('deployments')).toThrow(
      'no kind in the table has the plural "deployments"',
    );
  });

  test('a row whose client-node method does not exist fails at start, naming it', () => {
    expect(() => clients().method('Secret', 'readNamespacedSecrett')).toThrow(
      'no client-node method readNamespacedSecrett for Secret (v1): add its API client to ApiClients',
    );
  });
});
