/**
 * Two small checkers for the BitcoinNetwork CRD, so that tests can fail for the right reasons:
 *
 * - `structuralErrors` checks that an openAPIV3Schema is structural in the Kubernetes sense
 *   (every node typed, int-or-string only in its canonical form, required fields declared,
 *   list-map keys required) and follows this project's stricter policy: no unknown keys, no
 *   preserved unknown fields, no free-form maps.
 * - `validationErrors` validates a value against such a schema the way the API server's
 *   OpenAPI validation does for the keywords used here, with unknown fields rejected as under
 *   strict field validation. CEL rules (`x-kubernetes-validations`) are not evaluated.
 *
 * Both return a list of messages prefixed with the JSON path; an empty list means valid.
 */

export type Schema = { readonly [key: string]: unknown };

const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);
const LIST_TYPES = new Set(['atomic', 'set', 'map']);
const FORMATS = new Set(['int32', 'int64', 'float', 'double', 'date-time', 'date', 'byte']);
const VALIDATION_RULE_KEYS = new Set([
  'rule',
  'message',
  'messageExpression',
  'reason',
  'fieldPath',
  'optionalOldSelf',
]);
const ALLOWED_KEYS = new Set([
  'type',
  'format',
  'description',
  'properties',
  'required',
  'items',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'enum',
  'default',
  'minItems',
  'maxItems',
  'anyOf',
  'x-kubernetes-int-or-string',
  'x-kubernetes-validations',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
]);
/** Keys that are legal in Kubernetes but break this API's promise to reject unknown fields. */
const FORBIDDEN_KEYS: Record<string, string> = {
  'x-kubernetes-preserve-unknown-fields': 'unknown fields must be rejected, not preserved',
  additionalProperties: 'free-form maps accept any key; declare properties instead',
  'x-kubernetes-embedded-resource': 'embedded resources are not part of this API',
};
const ROOT_KEYS = new Set([
  'type',
  'description',
  'properties',
  'required',
  'x-kubernetes-validations',
]);
const STRING_KEYWORDS = ['minLength', 'maxLength', 'pattern'];
const NUMBER_KEYWORDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'];
const ARRAY_KEYWORDS = ['minItems', 'maxItems'];

function isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function at(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** Structural-schema errors of a CRD version's openAPIV3Schema. */
export function structuralErrors(root: unknown): string[] {
  if (!isObject(root)) {
    return ['<root>: schema must be an object'];
  }
  const errors: string[] = [];
  if (root.type !== 'object') {
    errors.push('<root>: type must be object');
  }
  for (const key of Object.keys(root)) {
    if (key in FORBIDDEN_KEYS) {
      errors.push(`<root>: ${key} is not allowed (${FORBIDDEN_KEYS[key]})`);
    } else if (!ROOT_KEYS.has(key)) {
      errors.push(`<root>: unknown key "${key}"`);
    }
  }
  if (!isObject(root.properties) || Object.keys(root.properties).length === 0) {
    return [...errors, '<root>: an object must declare its properties'];
  }
  for (const [name, child] of Object.entries(root.properties)) {
    errors.push(...(name === 'metadata' ? metadataErrors(child) : nodeErrors(child, name)));
  }
  for (const name of asStrings(root.required)) {
    if (!(name in root.properties)) {
      errors.push(`<root>: required field "${name}" is not declared in properties`);
    }
  }
  if (root['x-kubernetes-validations'] !== undefined) {
    errors.push(...celRuleErrors(root['x-kubernetes-validations'], '<root>'));
  }
  return errors;
}

/** At the root, metadata may only be typed and restrict `name` and `generateName`. */
function metadataErrors(node: unknown): string[] {
  if (!isObject(node) || node.type !== 'object') {
    return ['metadata: must be {type: object}'];
  }
  const errors: string[] = [];
  for (const key of Object.keys(node)) {
    if (key !== 'type' && key !== 'properties') {
      errors.push(`metadata: only name and generateName may be restricted, found "${key}"`);
    }
  }
  const properties = isObject(node.properties) ? node.properties : {};
  for (const [name, child] of Object.entries(properties)) {
    if (name !== 'name' && name !== 'generateName') {
      errors.push(`metadata: only name and generateName may be restricted, found "${name}"`);
    } else if (!isObject(child) || child.type !== 'string') {
      errors.push(`metadata.${name}: must be of type string`);
    } else {
      errors.push(...nodeErrors(child, `metadata.${name}`));
    }
  }
  return errors;
}

function nodeErrors(node: unknown, path: string): string[] {
  if (!isObject(node)) {
    return [`${path}: schema must be an object`];
  }
  const errors: string[] = [];
  for (const key of Object.keys(node)) {
    if (key in FORBIDDEN_KEYS) {
      errors.push(`${path}: ${key} is not allowed (${FORBIDDEN_KEYS[key]})`);
    } else if (!ALLOWED_KEYS.has(key)) {
      errors.push(`${path}: unknown key "${key}"`);
    }
  }

  const intOrString = node['x-kubernetes-int-or-string'] === true;
  if (intOrString) {
    if ('type' in node) {
      errors.push(`${path}: an int-or-string node must not have a type`);
    }
    if (JSON.stringify(node.anyOf) !== JSON.stringify([{ type: 'integer' }, { type: 'string' }])) {
      errors.push(`${path}: int-or-string needs anyOf [{type: integer}, {type: string}]`);
    }
  } else {
    if ('anyOf' in node) {
      errors.push(`${path}: anyOf is only allowed for x-kubernetes-int-or-string`);
    }
    if (typeof node.type !== 'string' || !TYPES.has(node.type)) {
      errors.push(`${path}: type is missing or invalid, got ${JSON.stringify(node.type)}`);
    }
  }
  const type = intOrString ? 'int-or-string' : node.type;

  if (node.format !== undefined && !FORMATS.has(String(node.format))) {
    errors.push(`${path}: unknown format ${JSON.stringify(node.format)}`);
  }
  const misplaced = (keywords: string[], allowed: string[]) => {
    for (const keyword of keywords) {
      if (keyword in node && !allowed.includes(String(type))) {
        errors.push(`${path}: ${keyword} does not apply to type ${String(type)}`);
      }
    }
  };
  misplaced(STRING_KEYWORDS, ['string', 'int-or-string']);
  misplaced(NUMBER_KEYWORDS, ['integer', 'number']);
  misplaced(ARRAY_KEYWORDS, ['array']);
  if (typeof node.pattern === 'string') {
    try {
      new RegExp(node.pattern);
    } catch (e) {
      errors.push(`${path}: pattern does not compile: ${String(e)}`);
    }
  }

  if (type === 'object') {
    if (!isObject(node.properties) || Object.keys(node.properties).length === 0) {
      errors.push(`${path}: an object must declare its properties`);
    } else {
      for (const [name, child] of Object.entries(node.properties)) {
        errors.push(...nodeErrors(child, at(path, name)));
      }
    }
    const declared = isObject(node.properties) ? node.properties : {};
    for (const name of asStrings(node.required)) {
      if (!(name in declared)) {
        errors.push(`${path}: required field "${name}" is not declared in properties`);
      }
    }
  } else {
    for (const key of ['properties', 'required']) {
      if (key in node) {
        errors.push(`${path}: ${key} only applies to objects`);
      }
    }
  }

  if (type === 'array') {
    if (!isObject(node.items)) {
      errors.push(`${path}: an array must declare a single items schema`);
    } else {
      errors.push(...nodeErrors(node.items, `${path}[]`));
      errors.push(...listTypeErrors(node, node.items, path));
    }
  } else {
    for (const key of ['items', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys']) {
      if (key in node) {
        errors.push(`${path}: ${key} only applies to arrays`);
      }
    }
  }

  if (node['x-kubernetes-validations'] !== undefined) {
    errors.push(...celRuleErrors(node['x-kubernetes-validations'], path));
  }
  if (Array.isArray(node.enum)) {
    node.enum.forEach((value, i) => {
      for (const e of validationErrors(value, withoutEnum(node), `${path}.enum[${i}]`)) {
        errors.push(e);
      }
    });
  }
  if ('default' in node) {
    errors.push(...validationErrors(node.default, node, `${path}.default`));
  }
  return errors;
}

function listTypeErrors(node: Schema, items: Schema, path: string): string[] {
  const listType = node['x-kubernetes-list-type'];
  const keys = node['x-kubernetes-list-map-keys'];
  if (listType === undefined) {
    return keys === undefined ? [] : [`${path}: list-map-keys need x-kubernetes-list-type map`];
  }
  if (!LIST_TYPES.has(String(listType))) {
    return [`${path}: unknown x-kubernetes-list-type ${JSON.stringify(listType)}`];
  }
  if (listType !== 'map') {
    return keys === undefined ? [] : [`${path}: list-map-keys need x-kubernetes-list-type map`];
  }
  const names = asStrings(keys);
  if (names.length === 0) {
    return [`${path}: a map list needs x-kubernetes-list-map-keys`];
  }
  const required = asStrings(items.required);
  return names
    .filter((k) => !required.includes(k))
    .map((k) => `${path}: list-map key "${k}" must be a required field of the items`);
}

function celRuleErrors(rules: unknown, path: string): string[] {
  if (!Array.isArray(rules) || rules.length === 0) {
    return [`${path}: x-kubernetes-validations must be a non-empty list`];
  }
  const errors: string[] = [];
  rules.forEach((rule, i) => {
    const where = `${path}.x-kubernetes-validations[${i}]`;
    if (!isObject(rule) || typeof rule.rule !== 'string' || rule.rule.trim() === '') {
      errors.push(`${where}: needs a rule`);
      return;
    }
    for (const key of Object.keys(rule)) {
      if (!VALIDATION_RULE_KEYS.has(key)) {
        errors.push(`${where}: unknown key "${key}"`);
      }
    }
    if (typeof rule.message !== 'string' || rule.message === '' || /\n/.test(rule.message)) {
      errors.push(`${where}: needs a one-line message`);
    }
  });
  return errors;
}

function withoutEnum(node: Schema): Schema {
  return Object.fromEntries(Object.entries(node).filter(([k]) => k !== 'enum' && k !== 'default'));
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** Errors of `value` against `schema`, as the API server's OpenAPI validation reports them. */
export function validationErrors(value: unknown, schema: Schema, path = '<root>'): string[] {
  if (schema['x-kubernetes-int-or-string'] === true) {
    if (typeof value === 'number' && Number.isInteger(value)) {
      return [];
    }
    if (typeof value === 'string') {
      return stringErrors(value, schema, path);
    }
    return [`${path}: must be an integer or a string, got ${JSON.stringify(value)}`];
  }
  switch (schema.type) {
    case 'object':
      return objectErrors(value, schema, path);
    case 'array':
      return arrayErrors(value, schema, path);
    case 'string':
      return typeof value === 'string'
        ? stringErrors(value, schema, path)
        : [`${path}: must be a string, got ${JSON.stringify(value)}`];
    case 'integer':
      return integerErrors(value, schema, path);
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${path}: must be a boolean`];
    default:
      return [`${path}: schema has no type the validator knows: ${JSON.stringify(schema.type)}`];
  }
}

function objectErrors(value: unknown, schema: Schema, path: string): string[] {
  if (!isObject(value)) {
    return [`${path}: must be an object`];
  }
  const properties = isObject(schema.properties) ? schema.properties : {};
  const errors: string[] = [];
  for (const name of asStrings(schema.required)) {
    if (!(name in value)) {
      errors.push(`${path}: missing required field "${name}"`);
    }
  }
  // Root metadata is ObjectMeta: only what the CRD restricts is checked.
  const isRootMetadata = path === '<root>.metadata';
  for (const [name, child] of Object.entries(value)) {
    const childSchema = properties[name];
    if (isObject(childSchema)) {
      errors.push(...validationErrors(child, childSchema, `${path}.${name}`));
    } else if (!isRootMetadata) {
      errors.push(`${path}: unknown field "${name}"`);
    }
  }
  return errors;
}

function arrayErrors(value: unknown, schema: Schema, path: string): string[] {
  if (!Array.isArray(value)) {
    return [`${path}: must be an array`];
  }
  const errors: string[] = [];
  if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
    errors.push(`${path}: must have at most ${schema.maxItems} items, got ${value.length}`);
  }
  if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
    errors.push(`${path}: must have at least ${schema.minItems} items, got ${value.length}`);
  }
  const items = isObject(schema.items) ? schema.items : {};
  value.forEach((item, i) => errors.push(...validationErrors(item, items, `${path}[${i}]`)));
  if (schema['x-kubernetes-list-type'] === 'map') {
    const keys = asStrings(schema['x-kubernetes-list-map-keys']);
    const seen = new Set<string>();
    value.forEach((item, i) => {
      const id = JSON.stringify(keys.map((k) => (isObject(item) ? item[k] : undefined)));
      if (seen.has(id)) {
        errors.push(`${path}[${i}]: duplicate entry for key ${keys.join(',')}=${id}`);
      }
      seen.add(id);
    });
  }
  return errors;
}

function stringErrors(value: string, schema: Schema, path: string): string[] {
  const errors: string[] = [];
  if (typeof schema.minLength === 'number' && value.length < schema.minLength) {
    errors.push(`${path}: must be at least ${schema.minLength} characters`);
  }
  if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) {
    errors.push(`${path}: must be at most ${schema.maxLength} characters`);
  }
  if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(value)) {
    errors.push(`${path}: "${value}" does not match ${schema.pattern}`);
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    errors.push(`${path}: "${value}" is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (schema.format === 'date-time' && Number.isNaN(Date.parse(value))) {
    errors.push(`${path}: "${value}" is not a date-time`);
  }
  return errors;
}

function integerErrors(value: unknown, schema: Schema, path: string): string[] {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    return [`${path}: must be an integer, got ${JSON.stringify(value)}`];
  }
  const errors: string[] = [];
  if (typeof schema.minimum === 'number' && value < schema.minimum) {
    errors.push(`${path}: must be >= ${schema.minimum}, got ${value}`);
  }
  if (typeof schema.maximum === 'number' && value > schema.maximum) {
    errors.push(`${path}: must be <= ${schema.maximum}, got ${value}`);
  }
  if (schema.format === 'int32' && (value < -(2 ** 31) || value >= 2 ** 31)) {
    errors.push(`${path}: does not fit in int32, got ${value}`);
  }
  return errors;
}
