import {
  customResourceEvent,
  physicalIdAfterCreate,
  propertiesChanged,
} from '../../../tools/rehearsal/events';

const base = {
  logicalId: 'Chart',
  resourceType: 'Custom::AWSCDK-EKS-HelmChart',
  properties: { ServiceToken: 'arn:fn', Wait: true, Replicas: 3, Values: '{"a":1}' },
  requestId: 'req-1',
};

describe('customResourceEvent', () => {
  test('Create carries the resolved properties with ServiceToken kept and scalars as strings', () => {
    const event = customResourceEvent({ ...base, requestType: 'Create' });
    expect(event).toMatchObject({
      RequestType: 'Create',
      ServiceToken: 'arn:fn',
      LogicalResourceId: 'Chart',
      ResourceType: 'Custom::AWSCDK-EKS-HelmChart',
      ResourceProperties: {
        ServiceToken: 'arn:fn',
        Wait: 'true',
        Replicas: '3',
        Values: '{"a":1}',
      },
    });
    expect(event).not.toHaveProperty('PhysicalResourceId');
    expect(event).not.toHaveProperty('OldResourceProperties');
    expect(physicalIdAfterCreate(event)).toBe('req-1');
  });

  test('Update carries the physical id and OldResourceProperties', () => {
    const event = customResourceEvent({
      ...base,
      requestType: 'Update',
      physicalId: 'req-1',
      oldProperties: { ServiceToken: 'arn:fn', Replicas: 2 },
    });
    expect(event.PhysicalResourceId).toBe('req-1');
    expect(event.OldResourceProperties).toEqual({ ServiceToken: 'arn:fn', Replicas: '2' });
  });

  test('Update or Delete without the physical id, and old properties outside Update, are errors', () => {
    expect(() => customResourceEvent({ ...base, requestType: 'Delete' })).toThrow(
      'Delete of Chart needs the PhysicalResourceId its Create returned',
    );
    expect(() =>
      customResourceEvent({ ...base, requestType: 'Create', oldProperties: {} }),
    ).toThrow('OldResourceProperties belong to Update events only (Create of Chart)');
  });
});

describe('propertiesChanged', () => {
  test('key order does not count as a change; a value does', () => {
    expect(propertiesChanged({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 })).toBe(false);
    expect(propertiesChanged({ a: 1 }, { a: 2 })).toBe(true);
  });
});
