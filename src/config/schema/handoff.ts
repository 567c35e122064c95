// Planned events: who a route may be handed to (`peers`), where it goes when
// no instance can carry it (`fallback`), and the top-level settings for
// hand-offs (`handoff_on_stop`, `handoff_timeout`, `watch_time`) and for the
// instance's own lifecycle signals in metadata (`lifecycle`). docs/operations.md
// ("Maintenance") explains each.
import { ErrorCode } from '../codes.js';
import { DEFAULTS } from '../model.js';
import type { LifecycleSpec, PeersSpec } from '../model.js';
import { looseNumber, show } from '../values.js';
import { Fail } from './issues.js';
import { MAX_SECONDS, bool, leaf, nonNegativeNumber, positiveNumber, templateText, text } from './leaf.js';
import { mapping, mappingOf, strictKeys } from './shapes.js';

/** `peers: {tag: KEY, value: VALUE}`: running instances of our VPC with that tag may carry the route. */
export const peers = () =>
  mapping(
    {
      tag: text('is required (the instance tag key peers carry)').describe('Instance tag key.'),
      value: templateText('is required (the value of the tag)').describe('Its value; placeholders allowed.'),
    },
    'a mapping with tag and value',
  ).transform((p): PeersSpec => Object.freeze({ tagKey: p.tag, tagValue: p.value }));

const NAT_GATEWAY = /^nat-[0-9a-f]{8}([0-9a-f]{9})?$/;

/** `fallback: nat-...`: the NAT gateway that carries the route while no instance can. */
export const fallback = () =>
  leaf<string>({ type: 'string', pattern: NAT_GATEWAY.source }, (v) =>
    typeof v === 'string' && NAT_GATEWAY.test(v)
      ? v
      : new Fail(ErrorCode.Value, `${show(v)} is not a NAT gateway id (nat- followed by 8 or 17 hex digits)`),
  );

/** 0 (off) or at least 1 s: every watch pass is an EC2 call, and the account's request budget is shared. */
const watchTime = () =>
  leaf<number>(
    { anyOf: [{ type: 'number', enum: [0] }, { type: 'number', minimum: 1, maximum: MAX_SECONDS.pollTime }, { type: 'string', pattern: '^\\s*\\+?(\\d+(\\.\\d*)?|\\.\\d+)\\s*$' }] },
    (v) => {
      const n = looseNumber(v);
      if (n === undefined || n < 0) return new Fail(ErrorCode.Value, `must be zero or a number of seconds (got ${show(v)})`);
      if (n > 0 && n < 1) return new Fail(ErrorCode.Value, `must be 0 (off) or at least 1 second (got ${show(v)}): each watch pass is an EC2 call`);
      return n > MAX_SECONDS.pollTime ? new Fail(ErrorCode.Value, `must be at most ${MAX_SECONDS.pollTime} seconds (got ${show(v)})`) : n;
    },
  );

export const handoffKeys = {
  handoff_on_stop: bool()
    .default(false)
    .describe('On SIGTERM, hand every route this instance carries to a healthy peer (or the fallback) before exiting. Default false.'),
  handoff_timeout: positiveNumber(undefined, 0, MAX_SECONDS.handoff)
    .default(DEFAULTS.handoffTimeout)
    .describe('Seconds a hand-off at stop may take before the daemon exits anyway. Default 20; at most 300 (keep it under the unit\'s TimeoutStopSec).'),
  watch_time: watchTime()
    .optional()
    .describe('Seconds between re-reads of the tables whose routes this instance backs up (a hand-off to us or to another owner is seen this soon). Default 10 when a route has peers or fallback, else 0 (off).'),
} as const;

export const lifecycleSection = mappingOf(
  strictKeys({
    poll: nonNegativeNumber(MAX_SECONDS.check)
      .default(DEFAULTS.lifecyclePoll)
      .describe('Seconds between reads of the lifecycle signals in instance metadata. Default 5; 0 turns them all off.'),
    spot_interruption: bool().default(true).describe('A spot interruption notice (spot/instance-action) hands off. Default true.'),
    target_lifecycle: bool().default(true).describe('An Auto Scaling target lifecycle state other than InService hands off. Default true.'),
    scheduled_events: bool().default(true).describe('A scheduled stop, retirement or reboot due within scheduled_lead hands off. Default true.'),
    scheduled_lead: nonNegativeNumber(MAX_SECONDS.pollTime)
      .default(DEFAULTS.scheduledLead)
      .describe('Seconds before a scheduled event that the hand-off starts. Default 600.'),
    rebalance: bool().default(false).describe('A rebalance recommendation hands off. Default false (it is advice, often early or never followed).'),
  }).transform(
    (l): LifecycleSpec =>
      Object.freeze({
        poll: l.poll,
        spotInterruption: l.spot_interruption,
        targetLifecycle: l.target_lifecycle,
        scheduledEvents: l.scheduled_events,
        scheduledLead: l.scheduled_lead,
        rebalance: l.rebalance,
      }),
  ),
).prefault({});
