import { isBenignAddNodeError } from '../../../controller/bitcoin/rpc-errors';
import { MeshNode, peerAddress, planMesh } from '../../../controller/reconcile/mesh';
import { RpcResponseError, RpcTimeoutError } from '../../../controller/bitcoin/rpc-errors';

const node = (ordinal: number, ip = `10.0.0.${ordinal + 1}`): MeshNode => ({
  ordinal,
  podName: `net-sts-${ordinal}`,
  ip,
});

describe('planMesh', () => {
  test.each([
    {
      name: 'a fresh node adds every ready peer',
      self: node(0),
      added: [],
      ready: [node(0), node(1), node(2)],
      ops: [
        { command: 'add', peer: '10.0.0.2:18444' },
        { command: 'add', peer: '10.0.0.3:18444' },
      ],
    },
    {
      name: 'a complete list needs nothing',
      self: node(1),
      added: ['10.0.0.1:18444', '10.0.0.3:18444'],
      ready: [node(0), node(1), node(2)],
      ops: [],
    },
    {
      name: 'a peer that is no longer ready is removed',
      self: node(0),
      added: ['10.0.0.2:18444', '10.0.0.3:18444'],
      ready: [node(0), node(1)],
      ops: [{ command: 'remove', peer: '10.0.0.3:18444' }],
    },
    {
      name: 'a restarted peer with a new IP is swapped',
      self: node(0),
      added: ['10.0.0.2:18444'],
      ready: [node(0), node(1, '10.0.9.9')],
      ops: [
        { command: 'add', peer: '10.0.9.9:18444' },
        { command: 'remove', peer: '10.0.0.2:18444' },
      ],
    },
    {
      name: 'a node never adds itself',
      self: node(0),
      added: [],
      ready: [node(0)],
      ops: [],
    },
    {
      name: 'a lone node forgets every old peer',
      self: node(0),
      added: ['10.0.0.2:18444'],
      ready: [node(0)],
      ops: [{ command: 'remove', peer: '10.0.0.2:18444' }],
    },
  ])('$name', ({ self, added, ready, ops }) => {
    expect(planMesh(self, added, ready)).toEqual(ops);
  });

  test('IPv6 peers are bracketed', () => {
    expect(peerAddress(node(0, 'fd00::5'))).toBe('[fd00::5]:18444');
  });
});

describe('isBenignAddNodeError', () => {
  test('-23 already added and -24 not added are benign', () => {
    expect(isBenignAddNodeError(new RpcResponseError(-23, 'already added', 'addnode'))).toBe(true);
    expect(isBenignAddNodeError(new RpcResponseError(-24, 'not added', 'addnode'))).toBe(true);
  });

  test('other RPC errors and timeouts are not', () => {
    expect(isBenignAddNodeError(new RpcResponseError(-8, 'bad param', 'addnode'))).toBe(false);
    expect(isBenignAddNodeError(new RpcTimeoutError('slow'))).toBe(false);
  });
});
