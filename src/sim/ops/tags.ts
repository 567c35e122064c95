// CreateTags and DeleteTags on any resource.
import { Ec2Error } from '../errors.js';
import type { Who } from '../mutations.js';
import type { Ec2State } from '../state.js';
import type { Apply } from './types.js';

export function prepareCreateTags(s: Ec2State, ids: readonly string[], tags: readonly (readonly [string, string])[], who: Who): Apply {
  const targets = ids.map((id) => [id, s.tagsOf(id)] as const);
  for (const [k] of tags)
    if (k.toLowerCase().startsWith('aws:'))
      throw new Ec2Error('InvalidParameterValue', `Value (${k}) for parameter key is invalid. Tag keys starting with 'aws:' are reserved for internal use`);
  return () => {
    for (const [id, t] of targets) {
      for (const [k, v] of tags) t.set(k, v);
      s.record({ kind: 'resource', ...who, resourceId: id, detail: { set: Object.fromEntries(tags) } });
    }
  };
}

export function prepareDeleteTags(s: Ec2State, ids: readonly string[], tags: readonly (readonly [string, string | undefined])[], who: Who): Apply {
  const targets = ids.map((id) => [id, s.tagsOf(id)] as const);
  return () => {
    for (const [id, t] of targets) {
      if (tags.length === 0) t.clear();
      for (const [k, v] of tags) if (v === undefined || t.get(k) === v) t.delete(k);
      s.record({ kind: 'resource', ...who, resourceId: id, detail: { deleted: tags.map(([k]) => k) } });
    }
  };
}
