/* global console, fetch */
'use strict';

/**
 * A custom-resource handler made of `outcome`, which turns an event into what to tell
 * CloudFormation and never throws. The event (without its pre-signed URL) and the outcome go to
 * the function's log.
 */
exports.answering = (outcome) => async (event) => {
  console.log(JSON.stringify({ ...event, ResponseURL: '...' }));
  const result = await outcome(event);
  console.log(JSON.stringify(result));
  await respond(event, result);
};

/**
 * The answer a custom-resource handler gives CloudFormation: a PUT of the outcome to the
 * pre-signed URL in the event. The URL's signature expects no content type.
 */
async function respond(event, { status, physicalId, reason, data }) {
  const response = await fetch(event.ResponseURL, {
    method: 'PUT',
    headers: { 'content-type': '' },
    body: JSON.stringify({
      Status: status,
      Reason: reason,
      PhysicalResourceId: physicalId,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      Data: data,
    }),
  });
  if (!response.ok) throw new Error(`CloudFormation refused the response: HTTP ${response.status}`);
}
