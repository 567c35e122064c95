// Several daemons on one simulator at once: each reads its own identity from
// its own metadata endpoint and races the others for one route; the route
// ends with exactly one owner and the log shows every change in order.
import { DescribeRouteTablesCommand, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANYCAST_WORLD, ANY, ec2, sim } from './helpers.js';

describe('several daemons on one simulator', () => {
  it('each daemon sees its own instance and their concurrent route changes all land in the log', async () => {
    const s = await sim(ANYCAST_WORLD);
    const insts = (await s.instances()).filter((i) => i.instanceId !== ANY.c);
    const clients = insts.map((i) => ec2(s, { accessKeyId: `AKID${i.instanceId.slice(-1).toUpperCase()}` }));
    try {
      const results = await Promise.all(
        insts.map(async (inst, k) => {
          const me = await new MetadataService({ endpoint: inst.imdsEndpoint, retries: 0 }).request('/latest/meta-data/instance-id', {});
          const client = clients[k]!;
          for (let round = 0; round < 10; round++) {
            await client.send(new ReplaceRouteCommand({ RouteTableId: ANY.main, DestinationCidrBlock: '192.168.1.1/32', InstanceId: me }));
            await client.send(new DescribeRouteTablesCommand({ RouteTableIds: [ANY.main] }));
          }
          return me;
        }),
      );
      assert.deepEqual(results, insts.map((i) => i.instanceId));
      const log = s.mutations({ kind: 'route', cidr: '192.168.1.1/32' });
      assert.equal(log.length, 20);
      assert.deepEqual(log.map((m) => m.seq), [...log.map((m) => m.seq)].sort((a, b) => a - b));
      for (let i = 1; i < log.length; i++) {
        const prev = log[i - 1]!;
        const cur = log[i]!;
        assert.ok(prev.kind === 'route' && cur.kind === 'route');
        assert.deepEqual(cur.before, prev.after, 'each change starts from the previous one');
      }
      const last = log.at(-1)!;
      assert.ok(last.kind === 'route');
      const owner = s.routeTables({ ids: [ANY.main] })[0]?.routes.find((r) => r.cidr === '192.168.1.1/32')?.instanceId;
      assert.equal(owner, last.after?.instanceId);
      const callers = s.counters().byCaller;
      assert.deepEqual(Object.keys(callers).sort(), ['AKIDA', 'AKIDB']);
      assert.equal(callers.AKIDA?.byAction.ReplaceRoute, 10);
    } finally {
      for (const c of clients) c.destroy();
      await s.close();
    }
  });
});
