/**
 * The RPC mesh, as pure functions: which `addnode` calls make every ready node know every other
 * ready node, and forget the peers that are no longer ready or gone. bitcoind does not connect a
 * whole subnet from one known address, so every pair is added explicitly.
 */
import { P2P_PORT } from '../api';

/** A node of the network that takes part in the mesh. */
export interface MeshNode {
  readonly ordinal: number;
  readonly podName: string;
  /** Pod IP; peers are added as `<ip>:18444`. */
  readonly ip: string;
}

export interface MeshOp {
  readonly command: 'add' | 'remove';
  /** `host:port` as passed to `addnode`. */
  readonly peer: string;
}

/** The `addnode` argument for a peer. */
export function peerAddress(node: MeshNode): string {
  return node.ip.includes(':') ? `[${node.ip}]:${P2P_PORT}` : `${node.ip}:${P2P_PORT}`;
}

/**
 * The calls that bring `self`'s added-node list to exactly its ready peers.
 *
 * @param self the node whose list `added` is
 * @param added the `addednode` values of its `getaddednodeinfo`
 * @param ready every ready node of the network, `self` included or not
 */
export function planMesh(
  self: MeshNode,
  added: readonly string[],
  ready: readonly MeshNode[],
): MeshOp[] {
  const want = new Set(ready.filter((n) => n.podName !== self.podName).map(peerAddress));
  const have = new Set(added);
  const ops: MeshOp[] = [];
  for (const peer of [...want].sort()) {
    if (!have.has(peer)) ops.push({ command: 'add', peer });
  }
  for (const peer of [...have].sort()) {
    if (!want.has(peer)) ops.push({ command: 'remove', peer });
  }
  return ops;
}
