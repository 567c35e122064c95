// Calls per action and per caller (the access key id from the SigV4
// Authorization header), with the error codes each action answered.
export interface ActionCount {
  calls: number;
  ok: number;
  errors: Record<string, number>;
}

export interface CountersSnapshot {
  readonly total: number;
  readonly byAction: Readonly<Record<string, ActionCount>>;
  readonly byCaller: Readonly<Record<string, { calls: number; byAction: Record<string, number> }>>;
}

export class Counters {
  private total = 0;
  private byAction = new Map<string, ActionCount>();
  private byCaller = new Map<string, { calls: number; byAction: Record<string, number> }>();

  call(action: string, caller: string): void {
    this.total++;
    const a = this.byAction.get(action) ?? { calls: 0, ok: 0, errors: {} };
    a.calls++;
    this.byAction.set(action, a);
    const c = this.byCaller.get(caller) ?? { calls: 0, byAction: {} };
    c.calls++;
    c.byAction[action] = (c.byAction[action] ?? 0) + 1;
    this.byCaller.set(caller, c);
  }

  result(action: string, code: string | undefined): void {
    const a = this.byAction.get(action);
    if (a === undefined) return;
    if (code === undefined) a.ok++;
    else a.errors[code] = (a.errors[code] ?? 0) + 1;
  }

  snapshot(): CountersSnapshot {
    const clone = <T>(v: T): T => structuredClone(v);
    return {
      total: this.total,
      byAction: Object.fromEntries([...this.byAction].map(([k, v]) => [k, clone(v)])),
      byCaller: Object.fromEntries([...this.byCaller].map(([k, v]) => [k, clone(v)])),
    };
  }

  reset(): void {
    this.total = 0;
    this.byAction = new Map();
    this.byCaller = new Map();
  }
}

/** The access key id in `AWS4-HMAC-SHA256 Credential=AKID/date/region/ec2/aws4_request, ...`. */
export function callerOf(authorization: string | undefined): string {
  if (authorization === undefined) return 'anonymous';
  const m = /Credential=([^/,\s]+)\//.exec(authorization);
  return m?.[1] ?? 'anonymous';
}
