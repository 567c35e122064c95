// Route-table finders evaluated locally on one DescribeRouteTables result.
import type { FinderSpec } from '../config/model.js';
import { substitute } from '../config/values.js';
import type { PlaceholderValues } from '../config/values.js';
import type { RouteTableView } from './types.js';

/**
 * Does `finder` pick `table`? `subnet` matches the table explicitly associated
 * with the subnet, and also the main table when no table of the VPC is
 * explicitly associated with it (the subnet then uses the main table
 * implicitly) — `all` is needed for that.
 */
export function finderMatches(
  finder: FinderSpec,
  table: RouteTableView,
  all: readonly RouteTableView[],
  values: PlaceholderValues,
): boolean {
  return finder.not !== matchesPlain(finder, table, all, values);
}

function matchesPlain(
  finder: FinderSpec,
  table: RouteTableView,
  all: readonly RouteTableView[],
  values: PlaceholderValues,
): boolean {
  switch (finder.kind) {
    case 'by_tag':
      return table.tags[substitute(finder.key, values)] === substitute(finder.value, values);
    case 'by_tag_regexp': {
      const v = table.tags[substitute(finder.key, values)];
      return v !== undefined && new RegExp(substitute(finder.regexp, values)).test(v);
    }
    case 'and':
      return finder.filters.every((f) => finderMatches(f, table, all, values));
    case 'or':
      return finder.filters.some((f) => finderMatches(f, table, all, values));
    case 'main':
      return table.main;
    case 'subnet': {
      const subnet = substitute(finder.subnetId, values);
      if (table.subnetIds.includes(subnet)) return true;
      return table.main && table.vpcId !== '' && !all.some((t) => t.vpcId === table.vpcId && t.subnetIds.includes(subnet));
    }
    case 'has_route_to':
      return table.routes.some((r) => r.destination === finder.cidr);
  }
}

export function findTables(
  finder: FinderSpec,
  tables: readonly RouteTableView[],
  values: PlaceholderValues,
): RouteTableView[] {
  return tables.filter((t) => finderMatches(finder, t, tables, values));
}
