import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StartupError, pickInterface } from './startup.js';

test('the interface with source/dest check disabled is chosen, lowest device index first', () => {
  const n = pickInterface('i-1', [
    { id: 'eni-2', privateIps: [], sourceDestCheck: false, deviceIndex: 1 },
    { id: 'eni-0', privateIps: [], sourceDestCheck: true, deviceIndex: 0 },
    { id: 'eni-3', privateIps: [], sourceDestCheck: false, deviceIndex: 2 },
  ]);
  assert.equal(n.id, 'eni-2');
});

test('no usable interface refuses to start, naming the instance and each interface', () => {
  assert.throws(
    () => pickInterface('i-1', [{ id: 'eni-0', privateIps: [], sourceDestCheck: true, deviceIndex: 0 }]),
    (e: unknown) => e instanceof StartupError && e.code === 'START_SOURCE_DEST_CHECK' && /i-1.*eni-0: source\/dest check enabled/.test(e.message),
  );
});
