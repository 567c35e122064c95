// Carries out the soak's faults on the fleet: each instance's wanted state is
// derived from the faults active on it (so overlapping faults compose), and
// a per-instance queue brings the real state there in a safe order (hand-off
// by SIGTERM before a stop, service before daemon...). Every change is
// written to the timeline the checker reads.
import http from 'node:http';
import { rmSync } from 'node:fs';
import { BIN, DaemonProcess, stopProcess } from '../../test/helpers/harness.js';
import type { SimProcess } from '../../test/helpers/harness.js';
import { Service } from '../tcp-service.js';
import type { StateChange } from './checker.js';
import type { ConfigPaths, Fleet, Member } from './fleet.js';
import { memberConfig } from './fleet.js';
import type { FaultKind, SoakEvent } from './schedule.js';

export interface Node {
  m: Member;
  paths: ConfigPaths;
  config: string;
  service: Service;
  daemon: DaemonProcess | null;
  /** Every daemon process this member ran, for the crash and log checks. */
  runs: DaemonProcess[];
  /** Whether the soak ended each run itself. */
  ours: WeakSet<DaemonProcess>;
  ready: boolean;
  active: Map<FaultKind, number>;
  terminated: boolean;
  detached: boolean;
  cur: { running: boolean; terminated: boolean; detached: boolean; serviceUp: boolean; impaired: boolean; spot: boolean; asg: boolean; sched: boolean; variant: 'A' | 'B'; drained: boolean };
  queue: Promise<void>;
}

export class Driver {
  readonly timeline: StateChange[] = [];
  readonly errors: string[] = [];
  readonly nodes = new Map<string, Node>();

  constructor(
    readonly sim: SimProcess,
    readonly fleet: Fleet,
    readonly port: number,
    readonly now: () => number,
    readonly writeFile: (name: string, text: string) => string,
  ) {}

  note(instance: string | null, field: StateChange['field'], value: boolean, event?: number): void {
    this.timeline.push({ t: this.now(), instance, field, value, ...(event !== undefined ? { event } : {}) });
  }

  add(m: Member, paths: ConfigPaths): Node {
    const config = this.writeFile(`${m.id}.yaml`, memberConfig(this.fleet, m, this.port, paths, 'A'));
    const n: Node = {
      m, paths, config, service: new Service(m.ip), daemon: null, runs: [], ours: new WeakSet(), ready: false, active: new Map(),
      terminated: false, detached: false, cur: { running: true, terminated: false, detached: false, serviceUp: false, impaired: false, spot: false, asg: false, sched: false, variant: 'A', drained: false }, queue: Promise.resolve(),
    };
    this.nodes.set(m.id, n);
    return n;
  }

  /** The member's service and daemon at the start of the run. */
  async boot(n: Node): Promise<void> {
    await n.service.open(this.port);
    n.cur.serviceUp = true;
    this.spawn(n);
  }

  /** Starts (or restarts) a member's daemon; `ready` once its status socket is up. */
  spawn(n: Node): void {
    const d = DaemonProcess.spawn(this.sim, n.m.id, [process.execPath, BIN, 'run', '-f', n.config, '-log-format=json']);
    n.daemon = d;
    n.ready = false;
    n.runs.push(d);
    const onData = (b: Buffer): void => {
      if (!n.ready && n.daemon === d && b.toString().includes('status socket ready')) {
        n.ready = true;
        this.note(n.m.id, 'daemonReady', true);
        if (n.cur.drained) void this.socket(n, 'POST', '/drain').catch(() => undefined);
      }
    };
    d.child.stdout!.on('data', onData);
    d.child.stderr!.on('data', onData);
  }

  socket(n: Node, method: string, path: string): Promise<string> {
    return statusRequest(n.paths.socket, method, path);
  }

  /** A fault starts or ends on its instance (queued) or on the simulator. */
  edge(e: SoakEvent, starting: boolean): Promise<void> {
    if (e.target === null) return this.global(e, starting).catch((err: unknown) => void this.errors.push(`event ${e.id} ${e.kind}: ${String(err)}`));
    const n = this.nodes.get(e.target)!;
    if (e.kind === 'terminate') n.terminated = true;
    else if (e.kind === 'detach') n.detached = true;
    else n.active.set(e.kind, (n.active.get(e.kind) ?? 0) + (starting ? 1 : -1));
    n.queue = n.queue.then(() => this.reconcile(n, e.id)).catch((err: unknown) => void this.errors.push(`event ${e.id} ${e.kind} on ${n.m.id}: ${String(err)}`));
    return n.queue;
  }

  private async global(e: SoakEvent, on: boolean): Promise<void> {
    const f = (body: unknown): Promise<unknown> => this.sim.admin('POST', 'faults', body);
    const p = e.params;
    switch (e.kind) {
      case 'throttle':
        await f({ throttle: { forced: on } });
        this.note(null, 'ec2Down', on, e.id);
        return;
      case 'hang':
      case 'refuse':
        await f({ outage: { mode: on ? e.kind : 'none' } });
        this.note(null, 'ec2Down', on, e.id);
        return;
      case 'errors':
        await f({ errors: on ? { rate: p.rate, status: p.status, seed: p.seed } : { rate: 0 } });
        return;
      case 'latency':
        await f({ latencyMs: { '*': on ? p.ms : 0 } });
        return;
      case 'read-lag':
        await this.sim.admin('POST', 'timing', { readLagMs: on ? p.ms : 0 });
        return;
      case 'imds-outage':
        await f({ imds: { mode: on ? 'refuse' : 'none', instances: [] } });
        return;
      default:
        throw new Error(`not a global fault: ${e.kind}`);
    }
  }

  private has(n: Node, k: FaultKind): boolean {
    return (n.active.get(k) ?? 0) > 0;
  }

  /** Brings one instance to the state its active faults ask for. */
  private async reconcile(n: Node, ev: number): Promise<void> {
    const id = n.m.id;
    const running = !n.terminated && !this.has(n, 'instance-stop');
    const serviceUp = running && !n.detached && !this.has(n, 'service-stop');
    const daemonUp = running && !this.has(n, 'daemon-kill');
    const variant = this.has(n, 'reload') ? 'B' : 'A';
    const admin = (method: string, path: string, body?: unknown): Promise<unknown> => this.sim.admin(method, path, body);

    if (variant !== n.cur.variant) {
      n.cur.variant = variant;
      this.writeFile(`${id}.yaml`, memberConfig(this.fleet, n.m, this.port, n.paths, variant));
      if (n.daemon !== null && !n.daemon.exited) n.daemon.child.kill('SIGHUP');
    }
    if (!daemonUp && n.daemon !== null) {
      const d = n.daemon;
      n.ours.add(d);
      n.daemon = null;
      n.ready = false;
      this.note(id, 'daemonReady', false, ev);
      if (!running) {
        // A stop or termination: the system sends SIGTERM, and the daemon hands its routes off.
        this.note(id, 'stopping', true, ev);
        await stopProcess(d.child, 8000);
      } else {
        d.child.kill('SIGKILL');
        await d.exit();
      }
    }
    if (n.detached && !n.cur.detached) {
      n.cur.detached = true;
      await admin('POST', `network-interfaces/${n.m.eni}/detach`);
      this.note(id, 'attached', false, ev);
    }
    if (!serviceUp && n.cur.serviceUp) {
      n.cur.serviceUp = false;
      await n.service.close();
      this.note(id, 'serviceUp', false, ev);
    }
    if (n.terminated && !n.cur.terminated) {
      n.cur.terminated = true;
      n.cur.running = false;
      await admin('POST', `instances/${id}/terminate`);
      this.note(id, 'running', false, ev);
      this.note(id, 'stopping', false, ev);
    }
    if (!running && n.cur.running) {
      n.cur.running = false;
      await admin('POST', `instances/${id}/stop`);
      this.note(id, 'running', false, ev);
      this.note(id, 'stopping', false, ev);
    }
    if (running && !n.cur.running) {
      n.cur.running = true;
      await admin('POST', `instances/${id}/start`);
      this.note(id, 'running', true, ev);
    }
    const impaired = this.has(n, 'impair');
    if (impaired !== n.cur.impaired && !n.terminated) {
      n.cur.impaired = impaired;
      await admin('POST', `instances/${id}/${impaired ? 'impair' : 'recover'}`);
      this.note(id, 'impaired', impaired, ev);
    }
    await this.signals(n, ev);
    if (serviceUp && !n.cur.serviceUp) {
      n.cur.serviceUp = true;
      await n.service.open(this.port);
      this.note(id, 'serviceUp', true, ev);
    }
    // Without its forwarding interface a daemon cannot start (start-up finds none): the one running keeps running, none is restarted.
    if (daemonUp && n.daemon === null && !n.detached) this.spawn(n);
    const drained = this.has(n, 'drain');
    if (drained !== n.cur.drained) {
      n.cur.drained = drained;
      this.note(id, 'drained', drained, ev);
      if (n.ready) await this.socket(n, 'POST', drained ? '/drain' : '/undrain');
      else if (!drained) rmSync(n.paths.stateFile, { force: true });
    }
  }

  private async signals(n: Node, ev: number): Promise<void> {
    if (n.terminated) return;
    const id = n.m.id;
    const want = { spot: this.has(n, 'spot-notice'), asg: this.has(n, 'lifecycle-state'), sched: this.has(n, 'scheduled-event') };
    const before = n.cur.spot || n.cur.asg || n.cur.sched;
    if (want.spot !== n.cur.spot) {
      await (want.spot ? this.sim.admin('POST', `instances/${id}/spot-interruption`, { action: 'terminate', inMs: 120_000 }) : this.sim.admin('DELETE', `instances/${id}/spot-interruption`));
      n.cur.spot = want.spot;
    }
    if (want.asg !== n.cur.asg) {
      await this.sim.admin('POST', `instances/${id}/target-lifecycle-state`, { state: want.asg ? 'Standby' : 'InService' });
      n.cur.asg = want.asg;
    }
    if (want.sched !== n.cur.sched) {
      await (want.sched ? this.sim.admin('POST', `instances/${id}/scheduled-events`, { code: 'instance-stop', inMs: 60_000, durationMs: 600_000 }) : this.sim.admin('DELETE', `instances/${id}/scheduled-events`));
      n.cur.sched = want.sched;
    }
    const after = want.spot || want.asg || want.sched;
    if (after !== before) this.note(id, 'signal', after, ev);
  }
}

/** One request on a daemon's status socket; rejects on an error status. */
export function statusRequest(socketPath: string, method: string, path: string): Promise<string> {
  return new Promise((ok, fail) => {
    const req = http.request({ socketPath, method, path, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => ((res.statusCode ?? 500) < 300 ? ok(body) : fail(new Error(`${method} ${path}: ${res.statusCode} ${body}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', fail);
    req.end();
  });
}
