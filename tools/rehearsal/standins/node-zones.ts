/**
 * The zone label EKS's nodes carry and the plane's kwok nodes lack: the kubelet sets it from the
 * instance's Availability Zone. The node group spreads its nodes over the private subnets, one per
 * zone of the default two-zone VPC; the plane's nodes get those zones in turn, so that a volume's
 * node affinity (the static PV's) finds a node in its zone, as on EKS, and none in another.
 */
import { kubectl } from '../../testplane/lib/kubectl';
import { STAND_IN_ENV } from '../intrinsics';

export const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** The first two zones `Fn::GetAZs` gives in the rehearsal, where the default VPC's subnets are. */
export const NODE_ZONES = ['a', 'b'].map((zone) => `${STAND_IN_ENV.region}${zone}`);

/** Labels every node with a zone of {@link NODE_ZONES}, in turn, as the node group's nodes are. */
export async function labelNodeZones(kubeconfig: string): Promise<void> {
  const nodes = (await kubectl(kubeconfig, ['get', 'nodes', '-o', 'name'])).split('\n');
  for (const [i, node] of nodes.filter(Boolean).entries()) {
    const zone = NODE_ZONES[i % NODE_ZONES.length];
    await kubectl(kubeconfig, ['label', '--overwrite', node, `${ZONE_LABEL}=${zone}`]);
  }
}
