import { addonVersions } from '../../../../tools/rehearsal/standins/addon-versions';

describe('the Custom::EksAddonVersions stand-in', () => {
  test("answers each attribute with its add-on's default for the minor", () => {
    expect(
      addonVersions({
        KubernetesVersion: '1.36',
        Addons: { coredns: 'coredns', vpccni: 'vpc-cni' },
      }),
    ).toEqual({ coredns: 'default-for-1.36', vpccni: 'default-for-1.36' });
  });

  test('another minor, another version: what moves the add-ons on an upgrade', () => {
    const before = addonVersions({
      KubernetesVersion: '1.35',
      Addons: { kubeproxy: 'kube-proxy' },
    });
    const after = addonVersions({ KubernetesVersion: '1.36', Addons: { kubeproxy: 'kube-proxy' } });
    expect(before.kubeproxy).not.toBe(after.kubeproxy);
  });

  test('an add-on EKS does not know is refused, as DescribeAddonVersions would find none', () => {
    expect(() =>
      addonVersions({ KubernetesVersion: '1.36', Addons: { corednsplus: 'coredns-plus' } }),
    ).toThrow('EKS knows no add-on "coredns-plus"');
  });

  test('a version that is not a minor is refused', () => {
    expect(() => addonVersions({ KubernetesVersion: '1.36.3', Addons: {} })).toThrow(
      'KubernetesVersion must be a minor, got "1.36.3"',
    );
  });
});
