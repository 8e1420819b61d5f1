/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS that Lambda runs as it is */
'use strict';
/**
 * Handler of Custom::ReplacementGuard. Its property Guarded maps each guarded resource (the VPC,
 * the subnets, the EKS cluster) to the values of its create-only properties. An Update that
 * changes one of them, or drops a resource, would make CloudFormation replace or delete it: the
 * answer is FAILED, with one line saying what and what to do instead, and the stack rolls back
 * before the guarded resources (which depend on the guard) are touched.
 *
 * The rollback then sends an Update back to the deployed values, which must succeed. The
 * physical ID carries a hash of the values last accepted, so that Update is told apart without
 * calling AWS: its target values hash to the physical ID. Plain CommonJS, no dependencies.
 */
const { createHash } = require('node:crypto');
const { answering } = require('./cfn-response');

exports.handler = answering((event) => ({ reason: 'nothing to guard against', ...outcome(event) }));

/** What to tell CloudFormation. */
function outcome(event) {
  const guarded = event.ResourceProperties.Guarded ?? {};
  const physicalId = `replacement-guard-${fingerprint(guarded)}`;
  if (event.RequestType === 'Delete')
    return { status: 'SUCCESS', physicalId: event.PhysicalResourceId };
  if (event.RequestType === 'Create') return { status: 'SUCCESS', physicalId };
  if (event.PhysicalResourceId === physicalId) {
    return { status: 'SUCCESS', physicalId, reason: 'back to the values last accepted' };
  }
  const reason = refusal(event.OldResourceProperties.Guarded ?? {}, guarded);
  if (reason) return { status: 'FAILED', physicalId: event.PhysicalResourceId, reason };
  return { status: 'SUCCESS', physicalId };
}

/** The one-line reason to refuse going from `before` to `after`, or undefined if nothing is replaced. */
function refusal(before, after) {
  const problems = Object.entries(before).flatMap(([name, old]) => {
    const next = after[name];
    if (!next) return [`delete the ${old.Type} ${name}`];
    return Object.keys(old)
      .filter((key) => key !== 'Type' && JSON.stringify(old[key]) !== JSON.stringify(next[key]))
      .map(
        (key) =>
          `replace the ${old.Type} ${name} (${key} ${JSON.stringify(old[key])} -> ${JSON.stringify(next[key])})`,
      );
  });
  if (problems.length === 0) return undefined;
  const more = problems.length > 1 ? ` and ${problems.length - 1} more` : '';
  return (
    `Refused: this deploy would ${problems[0]}${more}, leaving the old cluster's load balancers, ` +
    `security groups and volumes behind, still billed. Deploy with the values of the last deploy, ` +
    `or run "npx cdk destroy" first and deploy anew (docs/configuration.md says what each key's change does).`
  );
}

/** A short hash of `value`, the same for the same content whatever the order of its keys. */
function fingerprint(value) {
  return createHash('sha256').update(canonical(value)).digest('hex').slice(0, 16);
}

function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

exports.refusal = refusal;
