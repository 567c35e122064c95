import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OWN_WRITE_WINDOW_MS, unseenOwnWrites, type OwnWrite } from './own-writes.js';
import type { RouteTableView, RouteView } from './types.js';

// The EC2 API is eventually consistent: a describe call right after a change
// may not show it yet (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html).
const to = (eni: string): RouteView => ({ destination: '0.0.0.0/0', target: { kind: 'interface', networkInterfaceId: eni }, state: 'active' });
const table = (routes: RouteView[], id = 'rtb-1'): RouteTableView => ({ id, vpcId: 'vpc-1', main: false, subnetIds: [], tags: {}, routes });
const local: RouteView = { destination: '10.0.0.0/16', target: { kind: 'other', id: 'local' }, state: 'active' };
const write = (before: RouteView | undefined, after: RouteView | undefined, at = 1000): OwnWrite => ({ routeTableId: 'rtb-1', cidr: '0.0.0.0/0', before, after, at });
const KEY = 'rtb-1 0.0.0.0/0';

test('a read that still shows the route as before our replace holds the route until the window ends', () => {
  const w = write(to('eni-a'), to('eni-b'));
  const r = unseenOwnWrites([table([local, { ...to('eni-a'), state: 'blackhole' }])], [w], 1500);
  assert.deepEqual(r.pending, [w]);
  assert.deepEqual(r.unseen, { [KEY]: 1000 + OWN_WRITE_WINDOW_MS });
});

test('a read that shows our write ends the hold', () => {
  const r = unseenOwnWrites([table([local, to('eni-b')])], [write(to('eni-a'), to('eni-b'))], 1500);
  assert.deepEqual(r.pending, []);
  assert.deepEqual(r.unseen, {});
});

test('a read that shows a third target (someone wrote after us) stands', () => {
  const r = unseenOwnWrites([table([local, to('eni-c')])], [write(to('eni-a'), to('eni-b'))], 1500);
  assert.deepEqual(r.pending, []);
  assert.deepEqual(r.unseen, {});
});

test('creates and deletes: missing after our create, or still there after our delete, is unseen; the opposite is seen', () => {
  assert.deepEqual(unseenOwnWrites([table([local])], [write(undefined, to('eni-b'))], 1500).unseen, { [KEY]: 1000 + OWN_WRITE_WINDOW_MS });
  assert.deepEqual(unseenOwnWrites([table([local, to('eni-b')])], [write(to('eni-b'), undefined)], 1500).unseen, { [KEY]: 1000 + OWN_WRITE_WINDOW_MS });
  assert.deepEqual(unseenOwnWrites([table([local])], [write(to('eni-b'), undefined)], 1500).pending, []);
});

test('after the window the read is trusted again; a table the read did not include keeps its write pending', () => {
  const old = unseenOwnWrites([table([local, to('eni-a')])], [write(to('eni-a'), to('eni-b'), 1000)], 1000 + OWN_WRITE_WINDOW_MS);
  assert.deepEqual(old, { pending: [], unseen: {} });
  const w = write(to('eni-a'), to('eni-b'));
  const other = unseenOwnWrites([table([local], 'rtb-2')], [w], 1500);
  assert.deepEqual(other, { pending: [w], unseen: {} });
});
