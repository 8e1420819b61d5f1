/* global fetch */
'use strict';
/**
 * The answer a custom-resource handler gives CloudFormation: a PUT of the outcome to the
 * pre-signed URL in the event. The URL's signature expects no content type.
 */
exports.respond = async (event, { status, physicalId, reason, data }) => {
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
};
