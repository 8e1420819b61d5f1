import { Schema, structuralErrors, validationErrors } from './structural-schema';

// A small schema that is structural; each test breaks it in one way.
function base(): Schema {
  return {
    type: 'object',
    required: ['spec'],
    properties: {
      metadata: { type: 'object' },
      spec: {
        type: 'object',
        required: ['nodes'],
        properties: {
          nodes: { type: 'integer', minimum: 0, maximum: 5 },
          size: {
            'x-kubernetes-int-or-string': true,
            anyOf: [{ type: 'integer' }, { type: 'string' }],
          },
          peers: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['name'],
            items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
          },
        },
      },
    },
  };
}

function withSpecProperty(name: string, node: unknown): Schema {
  const schema = base() as { properties: { spec: { properties: Record<string, unknown> } } };
  schema.properties.spec.properties[name] = node;
  return schema as unknown as Schema;
}

describe('structuralErrors', () => {
  test('accepts a structural schema', () => {
    expect(structuralErrors(base())).toEqual([]);
  });

  test('reports a node without a type', () => {
    expect(structuralErrors(withSpecProperty('image', { description: 'x' }))).toEqual([
      'spec.image: type is missing or invalid, got undefined',
    ]);
  });

  test('reports preserved unknown fields and free-form maps', () => {
    expect(
      structuralErrors(
        withSpecProperty('extra', { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }),
      ),
    ).toEqual([
      'spec.extra: x-kubernetes-preserve-unknown-fields is not allowed (unknown fields must be rejected, not preserved)',
      'spec.extra: an object must declare its properties',
    ]);
    expect(
      structuralErrors(
        withSpecProperty('labels', { type: 'object', additionalProperties: { type: 'string' } }),
      ),
    ).toContain(
      'spec.labels: additionalProperties is not allowed (free-form maps accept any key; declare properties instead)',
    );
  });

  test('reports unknown keys, misspelled keywords included', () => {
    expect(structuralErrors(withSpecProperty('image', { type: 'string', maxlength: 3 }))).toEqual([
      'spec.image: unknown key "maxlength"',
    ]);
  });

  test('reports an int-or-string that is not in its canonical form', () => {
    expect(
      structuralErrors(
        withSpecProperty('cpu', {
          'x-kubernetes-int-or-string': true,
          type: 'string',
          anyOf: [{ type: 'string' }],
        }),
      ),
    ).toEqual([
      'spec.cpu: an int-or-string node must not have a type',
      'spec.cpu: int-or-string needs anyOf [{type: integer}, {type: string}]',
    ]);
  });

  test('reports anyOf used for anything but int-or-string', () => {
    expect(
      structuralErrors(
        withSpecProperty('x', { type: 'string', anyOf: [{ type: 'integer' }, { type: 'string' }] }),
      ),
    ).toEqual(['spec.x: anyOf is only allowed for x-kubernetes-int-or-string']);
  });

  test('reports required fields that are not declared', () => {
    const schema = base() as { required: string[] };
    schema.required = ['spec', 'status'];
    expect(structuralErrors(schema as unknown as Schema)).toEqual([
      '<root>: required field "status" is not declared in properties',
    ]);
  });

  test('reports arrays without items and map lists keyed by optional fields', () => {
    expect(structuralErrors(withSpecProperty('list', { type: 'array' }))).toEqual([
      'spec.list: an array must declare a single items schema',
    ]);
    expect(
      structuralErrors(
        withSpecProperty('list', {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['id'],
          items: { type: 'object', properties: { id: { type: 'string' } } },
        }),
      ),
    ).toEqual(['spec.list: list-map key "id" must be a required field of the items']);
  });

  test('reports keywords on the wrong type and defaults that fail their own schema', () => {
    expect(structuralErrors(withSpecProperty('n', { type: 'integer', maxLength: 3 }))).toEqual([
      'spec.n: maxLength does not apply to type integer',
    ]);
    expect(
      structuralErrors(
        withSpecProperty('image', { type: 'string', pattern: '^a:[0-9]+$', default: 'a:latest' }),
      ),
    ).toEqual(['spec.image.default: "a:latest" does not match ^a:[0-9]+$']);
  });

  test('reports metadata restrictions other than name and generateName', () => {
    const schema = base() as { properties: { metadata: unknown } };
    schema.properties.metadata = {
      type: 'object',
      properties: { labels: { type: 'object', properties: { a: { type: 'string' } } } },
    };
    expect(structuralErrors(schema as unknown as Schema)).toEqual([
      'metadata: only name and generateName may be restricted, found "labels"',
    ]);
  });

  test('reports CEL rules without a one-line message', () => {
    expect(
      structuralErrors(
        withSpecProperty('image', {
          type: 'string',
          'x-kubernetes-validations': [{ rule: "self != ''" }],
        }),
      ),
    ).toEqual(['spec.image.x-kubernetes-validations[0]: needs a one-line message']);
  });
});

describe('validationErrors', () => {
  test('accepts a valid object and ignores unrestricted metadata', () => {
    expect(
      validationErrors(
        { metadata: { name: 'x', labels: { a: 'b' } }, spec: { nodes: 2, size: '1Gi' } },
        base(),
      ),
    ).toEqual([]);
  });

  test('reports unknown fields, missing fields, bounds and types', () => {
    expect(
      validationErrors(
        {
          spec: { nodes: 9, size: 1.5, peers: [{ name: 'a' }, { name: 'a' }, {}], more: 1 },
          other: 1,
        },
        base(),
      ),
    ).toEqual([
      '<root>.spec.nodes: must be <= 5, got 9',
      '<root>.spec.size: must be an integer or a string, got 1.5',
      '<root>.spec.peers[2]: missing required field "name"',
      '<root>.spec.peers[1]: duplicate entry for key name=["a"]',
      '<root>.spec: unknown field "more"',
      '<root>: unknown field "other"',
    ]);
  });
});
