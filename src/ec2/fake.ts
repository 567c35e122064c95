// An in-memory EC2 port for unit tests of the loop: route tables as plain
// values, a log of every call, and failures that a test can queue per action.
import type { NatGatewayView, OwnerFacts, RouteTableView } from '../core/types.js';
import { Ec2Error, Ec2Outcome } from './errors.js';
import { targetFromId } from '../core/targets.js';
import type { Ec2Port, InstanceView, InterfaceView, PeerQuery, RouteTableQuery } from './port.js';

export class FakeEc2 implements Ec2Port {
  readonly calls: string[] = [];
  private readonly failures = new Map<string, Ec2Error[]>();
  /**
   * Eventual consistency: while > 0, each DescribeRouteTables answers the
   * tables as they were before the last route write (and counts down).
   */
  staleReads = 0;
  private before: RouteTableView[] | undefined;
  /** Called before each DescribeRouteTables answers, with its number (1, 2, ...): a test can change the tables between reads. */
  onDescribe: ((n: number) => void) | undefined;
  private describes = 0;

  constructor(
    public tables: RouteTableView[],
    public interfaces: InterfaceView[] = [],
    public owners: Record<string, OwnerFacts> = {},
    /** Instances for findInstances, with their tags. */
    public instances: (InstanceView & { tags: Record<string, string>; vpcId: string })[] = [],
    /** NAT gateways by id. */
    public natGateways: Record<string, NatGatewayView> = {},
  ) {}

  /** The next call of `action` throws an Ec2Error with this outcome. */
  failNext(action: string, code: Ec2Outcome = Ec2Outcome.Transient, awsCode = 'InternalError'): void {
    const list = this.failures.get(action) ?? [];
    list.push(new Ec2Error(code, awsCode, `${action}: ${awsCode}: injected`, action));
    this.failures.set(action, list);
  }

  private enter(action: string): void {
    this.calls.push(action);
    const e = this.failures.get(action)?.shift();
    if (e !== undefined) throw e;
  }

  private table(id: string): RouteTableView {
    const t = this.tables.find((x) => x.id === id);
    if (t === undefined) throw new Ec2Error(Ec2Outcome.NotFound, 'InvalidRouteTableID.NotFound', `no ${id}`, 'route');
    return t;
  }

  private setRoutes(id: string, routes: RouteTableView['routes']): void {
    this.before = this.tables;
    this.tables = this.tables.map((t) => (t.id === id ? { ...t, routes } : t));
  }

  describeRouteTables(q: RouteTableQuery): Promise<RouteTableView[]> {
    this.enter('DescribeRouteTables');
    this.onDescribe?.(++this.describes);
    let tables = this.tables;
    if (this.staleReads > 0 && this.before !== undefined) {
      this.staleReads--;
      tables = this.before;
    }
    return Promise.resolve(
      tables.filter((t) => (q.vpcId === undefined || t.vpcId === q.vpcId) && (q.routeTableIds === undefined || q.routeTableIds.includes(t.id))),
    );
  }

  describeInstanceStatus(ids: readonly string[]): Promise<Record<string, OwnerFacts>> {
    this.enter('DescribeInstanceStatus');
    return Promise.resolve(Object.fromEntries(ids.flatMap((id) => (this.owners[id] !== undefined ? [[id, this.owners[id]]] : []))));
  }

  describeNetworkInterfaces(q: { ids?: readonly string[]; instanceId?: string }): Promise<InterfaceView[]> {
    this.enter('DescribeNetworkInterfaces');
    return Promise.resolve(this.interfaces.filter((n) => (q.ids === undefined || q.ids.includes(n.id)) && (q.instanceId === undefined || n.instanceId === q.instanceId)));
  }

  findInstances(q: PeerQuery): Promise<InstanceView[]> {
    this.enter('DescribeInstances');
    return Promise.resolve(this.instances.filter((i) => i.vpcId === q.vpcId && i.state === 'running' && i.tags[q.tagKey] === q.tagValue));
  }

  describeNatGateways(ids: readonly string[]): Promise<Record<string, NatGatewayView>> {
    this.enter('DescribeNatGateways');
    return Promise.resolve(Object.fromEntries(ids.flatMap((id) => (this.natGateways[id] !== undefined ? [[id, this.natGateways[id]]] : []))));
  }

  createRoute(rtb: string, cidr: string, eni: string): Promise<void> {
    this.enter('CreateRoute');
    const t = this.table(rtb);
    if (t.routes.some((r) => r.destination === cidr)) throw new Ec2Error(Ec2Outcome.AlreadyExists, 'RouteAlreadyExists', 'exists', 'CreateRoute');
    this.setRoutes(rtb, [...t.routes, { destination: cidr, target: targetFromId(eni), state: 'active' }]);
    return Promise.resolve();
  }

  replaceRoute(rtb: string, cidr: string, eni: string): Promise<void> {
    this.enter('ReplaceRoute');
    const t = this.table(rtb);
    if (!t.routes.some((r) => r.destination === cidr)) throw new Ec2Error(Ec2Outcome.Invalid, 'InvalidParameterValue', 'no route', 'ReplaceRoute');
    this.setRoutes(rtb, t.routes.map((r) => (r.destination === cidr ? { destination: cidr, target: targetFromId(eni), state: 'active' } : r)));
    return Promise.resolve();
  }

  deleteRoute(rtb: string, cidr: string): Promise<void> {
    this.enter('DeleteRoute');
    const t = this.table(rtb);
    if (!t.routes.some((r) => r.destination === cidr)) throw new Ec2Error(Ec2Outcome.NotFound, 'InvalidRoute.NotFound', 'no route', 'DeleteRoute');
    this.setRoutes(rtb, t.routes.filter((r) => r.destination !== cidr));
    return Promise.resolve();
  }
}
