// CreateTags and DeleteTags on any simulated resource.
import { missing } from '../errors.js';
import type { ActionDef } from './types.js';
import { ok } from './types.js';
import { prepareCreateTags, prepareDeleteTags } from '../ops/tags.js';

export const createTags: ActionDef = {
  name: 'CreateTags',
  kind: 'mutate',
  run({ state, q, who }) {
    const ids = q.list('ResourceId');
    if (ids.length === 0) throw missing('ResourceId');
    const tags = q.tags().map(([k, v]) => [k, v ?? ''] as const);
    if (tags.length === 0) throw missing('Tag');
    const apply = prepareCreateTags(state, ids, tags, who);
    return () => {
      apply();
      return ok();
    };
  },
};

export const deleteTags: ActionDef = {
  name: 'DeleteTags',
  kind: 'mutate',
  run({ state, q, who }) {
    const ids = q.list('ResourceId');
    if (ids.length === 0) throw missing('ResourceId');
    const apply = prepareDeleteTags(state, ids, q.tags(), who);
    return () => {
      apply();
      return ok();
    };
  },
};
