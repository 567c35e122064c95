// EC2 query parameters, flattened as AWS's query protocol flattens them: list
// members numbered from 1 (`InstanceId.1`, `InstanceId.2`), structures by
// member (`Filter.1.Name`, `Filter.1.Value.1`). The names are the
// serialized names of AWS's model (its `queryName` / `locationName`), which the
// simulator's contract (src/sim/contract/gen/, generated from that model)
// checks on every request the daemon sends.
import type { QueryParams } from './client.js';

export interface QueryFilter {
  readonly name: string;
  readonly values: readonly string[];
}

/** `Filter.N.Name` / `Filter.N.Value.M`. */
export function filterParams(filters: readonly QueryFilter[]): Record<string, string> {
  const out: Record<string, string> = {};
  filters.forEach((f, i) => {
    out[`Filter.${i + 1}.Name`] = f.name;
    f.values.forEach((v, j) => (out[`Filter.${i + 1}.Value.${j + 1}`] = v));
  });
  return out;
}

/** `NAME.1`, `NAME.2`, … */
export function listParams(name: string, values: readonly string[]): Record<string, string> {
  return Object.fromEntries(values.map((v, i) => [`${name}.${i + 1}`, v]));
}

/** `DestinationCidrBlock` for IPv4, `DestinationIpv6CidrBlock` for IPv6. */
export function destinationParam(cidr: string): QueryParams {
  return cidr.includes(':') ? { DestinationIpv6CidrBlock: cidr } : { DestinationCidrBlock: cidr };
}

/** The CreateRoute/ReplaceRoute target: `NatGatewayId` for nat-…, else `NetworkInterfaceId`. */
export function targetParam(target: string): { NatGatewayId: string } | { NetworkInterfaceId: string } {
  return target.startsWith('nat-') ? { NatGatewayId: target } : { NetworkInterfaceId: target };
}
