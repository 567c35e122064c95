// The pure helpers behind the probes: error classification, status rules, argv building.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HealthCode } from '../result.js';
import { commandArgv } from './command.js';
import { expectedStatusText, statusAccepted } from './http.js';
import { classifySocketError } from './socket-errors.js';

const err = (code: string, extra: object = {}): Error => Object.assign(new Error(code), { code }, extra);

const classify: Array<[string, Error, 'connect' | 'tls' | 'exchange', string, string]> = [
  ['a refused connection', err('ECONNREFUSED'), 'connect', HealthCode.refused, 'connect ECONNREFUSED'],
  ['an unreachable host while connecting', err('EHOSTUNREACH'), 'connect', HealthCode.connect, 'connect EHOSTUNREACH'],
  ['an untrusted certificate', err('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'tls', HealthCode.tls, 'tls UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  ['a self-signed certificate', err('DEPTH_ZERO_SELF_SIGNED_CERT'), 'tls', HealthCode.tls, 'tls DEPTH_ZERO_SELF_SIGNED_CERT'],
  ['a name mismatch', err('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls', HealthCode.tls, 'tls ERR_TLS_CERT_ALTNAME_INVALID'],
  ['an OpenSSL protocol error', err('ERR_SSL_WRONG_VERSION_NUMBER', { library: 'SSL routines', reason: 'wrong version number' }), 'tls', HealthCode.tls, 'tls ERR_SSL_WRONG_VERSION_NUMBER'],
  ['a reset in the middle of a handshake', err('ECONNRESET'), 'tls', HealthCode.tls, 'tls handshake: ECONNRESET'],
  ['a reset after the exchange began', err('ECONNRESET'), 'exchange', HealthCode.connect, 'connection ECONNRESET'],
];
for (const [name, e, phase, code, detail] of classify) {
  test(`classifies ${name}`, () => {
    assert.deepEqual(classifySocketError(e, phase), { code, detail });
  });
}

test('any 2xx or 3xx status is accepted by default', () => {
  assert.deepEqual([199, 200, 204, 302, 399, 400, 503].map((s) => statusAccepted(s, undefined)), [false, true, true, true, true, false, false]);
  assert.equal(expectedStatusText(undefined), '2xx/3xx');
});

test('a status list accepts exactly its members', () => {
  assert.deepEqual([200, 204, 503].map((s) => statusAccepted(s, [204, 503])), [false, true, true]);
  assert.equal(expectedStatusText([204, 503]), '204 or 503');
});

test('%DESTINATION% is replaced everywhere in every argument, never in the command', () => {
  assert.deepEqual(commandArgv('/bin/%DESTINATION%', ['@%DESTINATION%', 'x%DESTINATION%y%DESTINATION%', 'plain'], '10.0.0.1'), [
    '/bin/%DESTINATION%',
    '@10.0.0.1',
    'x10.0.0.1y10.0.0.1',
    'plain',
  ]);
});
