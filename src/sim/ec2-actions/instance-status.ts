// DescribeInstanceStatus: status checks of the instances (running ones, or
// all with IncludeAllInstances), as the world file or the admin API set them.
import { compileFilters, type FilterSet } from '../filters.js';
import type { Instance, StatusValue } from '../model.js';
import { STATE_CODES } from '../model.js';
import { paginate } from '../paging.js';
import type { Ec2State } from '../state.js';
import type { XmlObject } from '../xml.js';
import { none } from './instance-filters.js';
import { stateXml } from './instance-xml.js';
import type { ActionDef } from './types.js';

const DETAIL: Partial<Record<StatusValue, string>> = {
  ok: 'passed',
  impaired: 'failed',
  initializing: 'initializing',
  'insufficient-data': 'insufficient-data',
};

function statusXml(status: StatusValue, impairedSinceWall: number): XmlObject {
  const detail = DETAIL[status];
  return {
    status,
    details:
      detail === undefined
        ? []
        : [
            {
              name: 'reachability',
              status: detail,
              impairedSince: status === 'impaired' ? new Date(impairedSinceWall).toISOString() : undefined,
            },
          ],
  };
}

/** DescribeInstanceStatus filters; the simulator has no scheduled events, so event filters match nothing. */
export const instanceStatusFilters: FilterSet<Instance, Ec2State> = {
  action: 'DescribeInstanceStatus',
  defs: {
    'instance-state-name': (i) => [i.state],
    'instance-state-code': (i) => [STATE_CODES[i.state]],
    'availability-zone': (i) => [i.az],
    'instance-status.status': (i, s) => [s.effectiveStatus(i).instance],
    'system-status.status': (i, s) => [s.effectiveStatus(i).system],
    'instance-status.reachability': (i, s) => [DETAIL[s.effectiveStatus(i).instance]],
    'system-status.reachability': (i, s) => [DETAIL[s.effectiveStatus(i).system]],
    'event.code': none,
    'event.description': none,
    'event.instance-event-id': none,
    'event.not-after': none,
    'event.not-before': none,
    'event.not-before-deadline': none,
  },
};

export const describeInstanceStatus: ActionDef = {
  name: 'DescribeInstanceStatus',
  kind: 'describe',
  filters: instanceStatusFilters,
  run({ state, q }) {
    const ids = q.list('InstanceId');
    const all = q.bool('IncludeAllInstances') === true;
    const match = compileFilters(instanceStatusFilters, q.filters(), state);
    const rows = state.describableInstances(ids).filter((i) => (all || i.state === 'running') && match(i));
    const page = paginate('DescribeInstanceStatus', rows, q.maxResults(), q.str('NextToken'));
    const wall = state.clock.wall();
    return () => ({
      instanceStatusSet: page.items.map((i) => {
        const s = state.effectiveStatus(i);
        return {
          instanceId: i.id,
          availabilityZone: i.az,
          instanceState: stateXml(i),
          instanceStatus: statusXml(s.instance, wall),
          systemStatus: statusXml(s.system, wall),
        };
      }),
      nextToken: page.nextToken,
    });
  },
};
