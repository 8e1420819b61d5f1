/**
 * Custom resource events shaped as CloudFormation sends them, through the provider framework,
 * to the kubectl handler: resolved properties with ServiceToken kept, every number and boolean
 * turned into a string (CloudFormation passes custom resource properties as strings), and
 * OldResourceProperties on Update.
 */
import { STAND_IN_ENV } from './intrinsics';

export type RequestType = 'Create' | 'Update' | 'Delete';

export interface CustomResourceEvent {
  readonly RequestType: RequestType;
  readonly ServiceToken: string;
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  /** Absent on Create: the handler has not named the resource yet. */
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Readonly<Record<string, unknown>>;
  /** Update only: the properties of the deployment before. */
  readonly OldResourceProperties?: Readonly<Record<string, unknown>>;
}

export interface EventInput {
  readonly requestType: RequestType;
  readonly logicalId: string;
  readonly resourceType: string;
  /** Resolved properties (intrinsics already replaced). */
  readonly properties: Readonly<Record<string, unknown>>;
  readonly oldProperties?: Readonly<Record<string, unknown>>;
  /** What Create returned; Update and Delete must carry it. */
  readonly physicalId?: string;
  readonly requestId: string;
}

export function customResourceEvent(input: EventInput): CustomResourceEvent {
  const { requestType, logicalId, physicalId } = input;
  if (requestType !== 'Create' && physicalId === undefined) {
    throw new Error(
      `${requestType} of ${logicalId} needs the PhysicalResourceId its Create returned`,
    );
  }
  if ((requestType === 'Update') !== (input.oldProperties !== undefined)) {
    throw new Error(
      `OldResourceProperties belong to Update events only (${requestType} of ${logicalId})`,
    );
  }
  const properties = asStrings(input.properties) as Record<string, unknown>;
  const serviceToken = properties.ServiceToken;
  if (typeof serviceToken !== 'string') {
    throw new Error(`${logicalId} (${input.resourceType}) has no resolved ServiceToken`);
  }
  return {
    RequestType: requestType,
    ServiceToken: serviceToken,
    ResponseURL: 'https://cloudformation-custom-resource-response.invalid/rehearsal',
    StackId: `arn:aws:cloudformation:${STAND_IN_ENV.region}:${STAND_IN_ENV.account}:stack/${STAND_IN_ENV.stackName}/rehearsal`,
    RequestId: input.requestId,
    LogicalResourceId: logicalId,
    ResourceType: input.resourceType,
    ...(physicalId !== undefined ? { PhysicalResourceId: physicalId } : {}),
    ResourceProperties: properties,
    ...(input.oldProperties
      ? { OldResourceProperties: asStrings(input.oldProperties) as Record<string, unknown> }
      : {}),
  };
}

/** The provider framework names a resource by its Create's RequestId when the handler does not. */
export function physicalIdAfterCreate(event: CustomResourceEvent, returned?: string): string {
  return returned ?? event.RequestId;
}

function asStrings(value: unknown): unknown {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(asStrings);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, asStrings(item)]));
  }
  return value;
}

/** Whether an Update event is due: CloudFormation updates a resource only when its properties changed. */
export function propertiesChanged(before: unknown, after: unknown): boolean {
  return JSON.stringify(canonical(before)) !== JSON.stringify(canonical(after));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, item]) => [key, canonical(item)]),
    );
  }
  return value;
}
