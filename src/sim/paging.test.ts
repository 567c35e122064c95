import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ec2Error } from './errors.js';
import { paginate } from './paging.js';

describe('paginate', () => {
  const items = Array.from({ length: 12 }, (_, i) => i);
  it('without MaxResults returns everything and no token', () => {
    assert.deepEqual(paginate('A', items, undefined, undefined), { items, nextToken: undefined });
  });
  it('walks pages until the token runs out', () => {
    const seen: number[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const p = paginate('A', items, 5, token);
      seen.push(...p.items);
      token = p.nextToken;
      pages++;
    } while (token !== undefined);
    assert.deepEqual(seen, items);
    assert.equal(pages, 3);
  });
  it('a token from another action is InvalidPaginationToken', () => {
    const t = paginate('A', items, 5, undefined).nextToken;
    assert.throws(() => paginate('B', items, 5, t), (e: unknown) => e instanceof Ec2Error && e.code === 'InvalidPaginationToken');
  });
});
