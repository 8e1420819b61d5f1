/**
 * Resolves CloudFormation's intrinsic functions in resource properties to the values a
 * deployment would pass, with stand-ins where only AWS could know the value: the account, the
 * region, physical IDs of AWS resources and the attributes read through Fn::GetAtt.
 */
import type { CfnTemplate, TemplateResource } from './template';

/** Where the stand-in stack lives. */
export const STAND_IN_ENV = {
  account: '111111111111',
  region: 'us-east-1',
  partition: 'aws',
  urlSuffix: 'amazonaws.com',
  stackName: 'BitcoinPlatform',
} as const;

/** Attributes a custom resource's handler returned (its `Data`), by logical ID. */
export type CustomResourceData = ReadonlyMap<string, Readonly<Record<string, unknown>>>;

/** AWS::NoValue: the property is removed, as CloudFormation does. */
const NO_VALUE = Symbol('AWS::NoValue');

export class Intrinsics {
  constructor(
    private readonly template: CfnTemplate,
    private readonly customData: CustomResourceData = new Map(),
  ) {}

  /** `value` with every intrinsic function replaced by its value. `where` names it in errors. */
  resolve(value: unknown, where: string): unknown {
    const resolved = this.walk(value, where);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  private walk(value: unknown, where: string): unknown {
    if (Array.isArray(value)) {
      return value.map((item) => this.walk(item, where)).filter((item) => item !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) {
      return this.call(entries[0][0], entries[0][1], where);
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      const resolved = this.walk(item, `${where}.${key}`);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  private call(fn: string, arg: unknown, where: string): unknown {
    const value = (v: unknown) => this.walk(v, where);
    switch (fn) {
      case 'Ref':
        return this.ref(String(arg), where);
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/);
        return this.getAtt(String(id), String(value(attribute)), where);
      }
      case 'Fn::Join': {
        const [separator, items] = arg as [string, unknown];
        return (value(items) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Select': {
        const [index, items] = arg as [unknown, unknown];
        const list = value(items) as unknown[];
        const at = Number(value(index));
        if (!(at >= 0 && at < list.length)) {
          throw new Error(`${where}: Fn::Select index ${at} is outside a list of ${list.length}`);
        }
        return list[at];
      }
      case 'Fn::Split': {
        const [separator, text] = arg as [string, unknown];
        return String(value(text)).split(separator);
      }
      case 'Fn::Sub':
        return this.sub(arg, where);
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((zone) => `${STAND_IN_ENV.region}${zone}`);
      case 'Fn::Base64':
        return Buffer.from(String(value(arg))).toString('base64');
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = arg as [string, unknown, unknown];
        return value(this.condition(condition, where) ? whenTrue : whenFalse);
      }
      default:
        throw new Error(`${where}: ${fn} cannot be resolved by the rehearsal (no stand-in for it)`);
    }
  }

  private ref(name: string, where: string): unknown {
    switch (name) {
      case 'AWS::AccountId':
        return STAND_IN_ENV.account;
      case 'AWS::Region':
        return STAND_IN_ENV.region;
      case 'AWS::Partition':
        return STAND_IN_ENV.partition;
      case 'AWS::URLSuffix':
        return STAND_IN_ENV.urlSuffix;
      case 'AWS::StackName':
        return STAND_IN_ENV.stackName;
      case 'AWS::StackId':
        return `arn:aws:cloudformation:${STAND_IN_ENV.region}:${STAND_IN_ENV.account}:stack/${STAND_IN_ENV.stackName}/standin`;
      case 'AWS::NoValue':
        return NO_VALUE;
    }
    const parameter = this.template.Parameters?.[name];
    if (parameter) return parameter.Default;
    return physicalIdOf(name, this.resource(name, where), (v) => this.resolve(v, where));
  }

  private getAtt(id: string, attribute: string, where: string): unknown {
    const resource = this.resource(id, where);
    if (resource.Type.startsWith('Custom::')) {
      const data = this.customData.get(id);
      if (data && attribute in data) return data[attribute];
      throw new Error(
        `${where}: Fn::GetAtt ${id}.${attribute}: ${id} (${resource.Type}) returned ` +
          `${data ? `only ${Object.keys(data).join(', ') || 'no attributes'}` : 'nothing yet'}`,
      );
    }
    const physicalId = String(this.ref(id, where));
    const standIn = ATTRIBUTES[`${resource.Type}.${attribute}`];
    if (standIn) return standIn(physicalId);
    if (attribute === 'Arn') return arnOf(resource.Type, physicalId);
    throw new Error(
      `${where}: Fn::GetAtt ${id}.${attribute} of ${resource.Type} has no stand-in ` +
        `(known: Arn and ${Object.keys(ATTRIBUTES).join(', ')})`,
    );
  }

  private sub(arg: unknown, where: string): string {
    const [text, variables] = (Array.isArray(arg) ? arg : [arg, {}]) as [
      string,
      Record<string, unknown>,
    ];
    const local = this.walk(variables ?? {}, where) as Record<string, unknown>;
    return text.replace(/\$\{(!?)([^}]*)\}/g, (_whole, literal: string, name: string) => {
      if (literal) return `\${${name}}`;
      if (name in local) return String(local[name]);
      const [id, attribute] = name.split(/\.(.*)/);
      return String(attribute ? this.getAtt(id, attribute, where) : this.ref(id, where));
    });
  }

  private condition(name: string, where: string): boolean {
    const definition = this.template.Conditions?.[name];
    if (definition === undefined) throw new Error(`${where}: condition ${name} is not defined`);
    return this.evaluate(definition, where);
  }

  private evaluate(expression: unknown, where: string): boolean {
    const [[fn, arg]] = Object.entries(expression as Record<string, unknown[]>);
    switch (fn) {
      case 'Fn::Equals':
        return this.walk(arg[0], where) === this.walk(arg[1], where);
      case 'Fn::And':
        return arg.every((item) => this.evaluate(item, where));
      case 'Fn::Or':
        return arg.some((item) => this.evaluate(item, where));
      case 'Fn::Not':
        return !this.evaluate(arg[0], where);
      case 'Condition':
        return this.condition(String(arg), where);
      default:
        throw new Error(`${where}: ${fn} is not a condition function`);
    }
  }

  private resource(id: string, where: string): TemplateResource {
    const resource = this.template.Resources[id];
    if (!resource)
      throw new Error(`${where}: ${id} is neither a resource nor a parameter of the template`);
    return resource;
  }
}

/** What Ref returns for an AWS resource: its name where the template sets one. */
function physicalIdOf(
  id: string,
  resource: TemplateResource,
  resolve: (v: unknown) => unknown,
): string {
  const { Type, Properties = {} } = resource;
  if (Type === 'AWS::EKS::Cluster' && Properties.Name !== undefined)
    return String(resolve(Properties.Name));
  if (Type === 'AWS::IAM::OIDCProvider') {
    return `arn:aws:iam::${STAND_IN_ENV.account}:oidc-provider/oidc.eks.${STAND_IN_ENV.region}.amazonaws.com/id/${id.toUpperCase()}`;
  }
  if (Type === 'AWS::Lambda::LayerVersion') return `${arnOf('AWS::Lambda::Function', id)}:1`;
  return id.toLowerCase();
}

function arnOf(type: string, physicalId: string): string {
  const [, service, kind] = type.toLowerCase().split('::');
  const region = service === 'iam' ? '' : STAND_IN_ENV.region;
  const separator = service === 'lambda' ? ':' : '/';
  const resource = service === 'lambda' ? 'function' : kind;
  return `arn:${STAND_IN_ENV.partition}:${service}:${region}:${STAND_IN_ENV.account}:${resource}${separator}${physicalId}`;
}

/** Fn::GetAtt stand-ins of the AWS resources whose attributes reach our resources. */
const ATTRIBUTES: Readonly<Record<string, (physicalId: string) => string>> = {
  'AWS::EKS::Cluster.OpenIdConnectIssuerUrl': (id) =>
    `https://oidc.eks.${STAND_IN_ENV.region}.amazonaws.com/id/${id.toUpperCase()}`,
  'AWS::EKS::Cluster.ClusterSecurityGroupId': (id) => `sg-${id}`,
  'AWS::EKS::Cluster.Endpoint': (id) => `https://${id}.eks.${STAND_IN_ENV.region}.amazonaws.com`,
  'AWS::EC2::SecurityGroup.GroupId': (id) => `sg-${id}`,
  'AWS::EC2::EIP.AllocationId': (id) => `eipalloc-${id}`,
  'AWS::EC2::LaunchTemplate.LatestVersionNumber': () => '1',
};
