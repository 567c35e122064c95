import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Ec2Error, Ec2Outcome, toEc2Error } from './errors.js';

describe('EC2 errors map to a few stable outcomes', () => {
  const cases: [string, object, Ec2Outcome][] = [
    ['RequestLimitExceeded is throttling', { name: 'RequestLimitExceeded', $metadata: { httpStatusCode: 503 } }, Ec2Outcome.Throttled],
    ['Throttling is throttling', { name: 'Throttling', $metadata: { httpStatusCode: 400 } }, Ec2Outcome.Throttled],
    ['a 500 is transient', { name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500 } }, Ec2Outcome.Transient],
    ['a 503 without a throttling code is transient', { name: 'Unavailable', $metadata: { httpStatusCode: 503 } }, Ec2Outcome.Transient],
    ['a refused connection is transient', { name: 'Error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, Ec2Outcome.Transient],
    ['RouteAlreadyExists is already-exists', { name: 'RouteAlreadyExists', $metadata: { httpStatusCode: 400 } }, Ec2Outcome.AlreadyExists],
    ['InvalidRoute.NotFound is not-found', { name: 'InvalidRoute.NotFound', $metadata: { httpStatusCode: 400 } }, Ec2Outcome.NotFound],
    ['InvalidRouteTableID.NotFound is not-found', { name: 'InvalidRouteTableID.NotFound', $metadata: { httpStatusCode: 400 } }, Ec2Outcome.NotFound],
    ['UnauthorizedOperation is permission-denied', { name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } }, Ec2Outcome.PermissionDenied],
    ['AuthFailure is permission-denied', { name: 'AuthFailure', $metadata: { httpStatusCode: 401 } }, Ec2Outcome.PermissionDenied],
    ['InvalidParameterValue is invalid', { name: 'InvalidParameterValue', $metadata: { httpStatusCode: 400 } }, Ec2Outcome.Invalid],
  ];
  for (const [name, err, outcome] of cases) {
    test(name, () => {
      const e = toEc2Error('CreateRoute', err);
      assert.equal(e.code, outcome);
      assert.equal(e.action, 'CreateRoute');
    });
  }
  test('an Ec2Error passes through unchanged', () => {
    const e = new Ec2Error(Ec2Outcome.Invalid, 'X', 'm', 'A');
    assert.equal(toEc2Error('B', e), e);
  });
});
