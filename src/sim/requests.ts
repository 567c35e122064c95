// The EC2 requests the simulator received: action, caller, every parameter
// name and the filter names, in order, with a monotonic seq. Tests use it to
// check what a daemon really sends against AWS's model
// (src/sim/contract/conformance.ts). Values other than filter names are not
// kept. Bounded like the mutation log: the oldest half goes at 20,000.
import type { Query } from './query.js';

export interface RecordedRequest {
  readonly seq: number;
  /** The simulator's monotonic clock, ms. */
  readonly tMs: number;
  readonly action: string;
  readonly caller: string;
  /** Every parameter name as sent (`Filter.1.Name`, `InstanceId.2`, ...). */
  readonly params: readonly string[];
  /** The values of every `Filter.N.Name`. */
  readonly filters: readonly string[];
}

const LIMIT = 20_000;

export class RequestLog {
  private entries: RecordedRequest[] = [];
  private seq = 0;

  record(tMs: number, action: string, caller: string, q: Query): void {
    const params = [...q.params.keys()];
    const filters: string[] = [];
    for (const [k, v] of q.params) if (/^Filter\.\d+\.Name$/.test(k)) filters.push(v);
    this.entries.push({ seq: ++this.seq, tMs, action, caller, params, filters });
    if (this.entries.length >= LIMIT) this.entries = this.entries.slice(LIMIT / 2);
  }

  /** Entries after `since` (a seq), optionally of one caller. */
  list(q: { readonly since?: number; readonly caller?: string } = {}): RecordedRequest[] {
    return this.entries.filter((e) => (q.since === undefined || e.seq > q.since) && (q.caller === undefined || e.caller === q.caller));
  }

  get lastSeq(): number {
    return this.seq;
  }

  reset(): void {
    this.entries = [];
  }
}
