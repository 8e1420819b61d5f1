import type { BitcoinNetwork, BitcoinNetworkNodeStatus } from '../../../controller/api/network';
import { networkProblems } from '../../../tools/bitcoin/network-problems';

const IPS = ['10.1.0.5', '10.1.1.5', '10.1.2.5'];

const node = (ip: string, ordinal: number, ready = true): BitcoinNetworkNodeStatus => ({
  ordinal,
  ready,
  ip,
  nodeName: `kwok-node-${ordinal}`,
  dnsName: `alpha-${ordinal}.alpha`,
});

function network(overrides: {
  generation?: number;
  ready?: 'True' | 'False';
  nodes?: BitcoinNetworkNodeStatus[];
}): BitcoinNetwork {
  return {
    metadata: { name: 'alpha', namespace: 'chain', generation: 2 },
    spec: { nodes: 3 },
    status: {
      observedGeneration: overrides.generation ?? 2,
      nodes: overrides.nodes ?? IPS.map((ip, i) => node(ip, i)),
      conditions: [
        {
          type: 'Ready',
          status: overrides.ready ?? 'True',
          reason: 'Meshed',
          message: 'every node has its peers',
          lastTransitionTime: '2026-12-07T00:00:00Z',
        },
      ],
    },
  };
}

/** A fake bitcoind whose nodes hold these added-node lists. */
const holding = (added: Record<string, string[]>) => ({ addedNodes: (ip: string) => added[ip] });

const fullMesh = holding({
  '10.1.0.5': ['10.1.1.5:18444', '10.1.2.5:18444'],
  '10.1.1.5': ['10.1.2.5:18444', '10.1.0.5:18444'],
  '10.1.2.5': ['10.1.0.5:18444', '10.1.1.5:18444'],
});

describe('what keeps a BitcoinNetwork from having converged', () => {
  test('nothing, when it is Ready at its generation and every node holds the others as peers', () => {
    expect(networkProblems(network({}), fullMesh)).toEqual([]);
  });

  test('a status for an older generation', () => {
    expect(networkProblems(network({ generation: 1 }), fullMesh)).toEqual([
      'chain/alpha status is for generation 1',
    ]);
  });

  test('Ready not True, with its message', () => {
    expect(networkProblems(network({ ready: 'False' }), fullMesh)).toEqual([
      'chain/alpha Ready=False (every node has its peers)',
    ]);
  });

  test('fewer ready nodes than the spec asks for', () => {
    const nodes = [node(IPS[0], 0), node(IPS[1], 1, false)];
    expect(networkProblems(network({ nodes }), fullMesh)).toEqual([
      'chain/alpha has 1 ready nodes of 3',
    ]);
  });

  test('a node missing a peer, and one the fake does not know, each named', () => {
    const partial = holding({
      '10.1.0.5': ['10.1.1.5:18444'],
      '10.1.1.5': ['10.1.0.5:18444', '10.1.2.5:18444'],
    });
    expect(networkProblems(network({}), partial)).toEqual([
      'chain/alpha node 10.1.0.5 has peers [10.1.1.5:18444], wants [10.1.1.5:18444, 10.1.2.5:18444]',
      'chain/alpha node 10.1.2.5 has no bitcoind answering',
    ]);
  });

  test('a one-node network is converged only once its node has a bitcoind, without peers', () => {
    const single: BitcoinNetwork = {
      ...network({ nodes: [node(IPS[0], 0)] }),
      spec: { nodes: 1 },
    };
    expect(networkProblems(single, holding({}))).toEqual([
      'chain/alpha node 10.1.0.5 has no bitcoind answering',
    ]);
    expect(networkProblems(single, holding({ '10.1.0.5': [] }))).toEqual([]);
  });
});
