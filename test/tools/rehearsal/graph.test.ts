import { buildGraph, referencesIn } from '../../../tools/rehearsal/graph';
import type { TemplateResource } from '../../../tools/rehearsal/template';

const res = (
  props: Record<string, unknown> = {},
  dependsOn?: string | string[],
): TemplateResource => ({
  Type: 'AWS::Test::Thing',
  Properties: props,
  ...(dependsOn ? { DependsOn: dependsOn } : {}),
});

describe('references', () => {
  test('Ref, Fn::GetAtt in both forms and Fn::Sub names are found at any depth', () => {
    const found = referencesIn({
      A: { 'Fn::Join': ['', [{ Ref: 'Vpc' }, { 'Fn::GetAtt': ['Role', 'Arn'] }]] },
      B: [{ 'Fn::GetAtt': 'Key.Arn' }],
      C: { 'Fn::Sub': 'arn:${AWS::Partition}:x:${Cluster}:${Bucket.Arn}:${!Literal}' },
    });
    expect([...found].sort()).toEqual([
      'AWS::Partition',
      'Bucket',
      'Cluster',
      'Key',
      'Role',
      'Vpc',
    ]);
  });

  test("Fn::Sub's own variables are not references, but references inside their values are", () => {
    const found = referencesIn({ 'Fn::Sub': ['${Local}-${Other}', { Local: { Ref: 'Inner' } }] });
    expect([...found].sort()).toEqual(['Inner', 'Other']);
  });
});

describe('buildGraph', () => {
  test('a resource depends on its DependsOn and on the resources it references, not on pseudo parameters', () => {
    const graph = buildGraph({
      Vpc: res(),
      Role: res(),
      Cluster: res({ VpcId: { Ref: 'Vpc' }, Region: { Ref: 'AWS::Region' } }, 'Role'),
    });
    expect(graph.dependenciesOf('Cluster')).toEqual(['Role', 'Vpc']);
    expect(graph.dependantsOf('Vpc')).toEqual(['Cluster']);
  });

  test('creation order puts every resource after its dependencies; deletion is the reverse', () => {
    const graph = buildGraph({
      Chart: res({ C: { Ref: 'Cluster' } }, ['Nodes']),
      Nodes: res({ C: { 'Fn::GetAtt': ['Cluster', 'Arn'] } }),
      Cluster: res(),
      Unrelated: res(),
    });
    const order = graph.creationOrder();
    expect(order.indexOf('Cluster')).toBeLessThan(order.indexOf('Nodes'));
    expect(order.indexOf('Nodes')).toBeLessThan(order.indexOf('Chart'));
    expect(graph.deletionOrder()).toEqual([...order].reverse());
  });

  test('transitive dependencies follow every path, and only dependencies', () => {
    const graph = buildGraph({
      Chart: res({ C: { Ref: 'Cluster' } }, ['Nodes']),
      Nodes: res({ C: { 'Fn::Sub': '${Role.Arn}' } }),
      Role: res(),
      Cluster: res(),
      Unrelated: res(),
    });
    expect([...graph.transitiveDependenciesOf('Chart')].sort()).toEqual([
      'Cluster',
      'Nodes',
      'Role',
    ]);
    expect([...graph.transitiveDependenciesOf('Role')]).toEqual([]);
  });

  test('a cycle is an error naming the resources on it', () => {
    expect(() =>
      buildGraph({
        A: res({ x: { Ref: 'B' } }),
        B: res({}, 'C'),
        C: res({ y: { 'Fn::Sub': '${A.Arn}' } }),
      }),
    ).toThrow('dependency cycle: A -> B -> C -> A');
  });

  test('DependsOn naming a missing resource is an error', () => {
    expect(() => buildGraph({ A: res({}, 'Ghost') })).toThrow(
      'A DependsOn Ghost, which is not a resource of the template',
    );
  });
});
