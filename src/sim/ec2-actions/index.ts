// Every EC2 action the simulator answers, by name.
import { describeInstanceAttribute, modifyInstanceAttribute, modifyNetworkInterfaceAttribute } from './attributes.js';
import { describeInstanceStatus } from './instance-status.js';
import { describeInstances, runInstances, startInstances, stopInstances, terminateInstances } from './instances.js';
import { createNatGateway, deleteNatGateway, describeNatGateways } from './nat-gateways.js';
import { describeNetworkInterfaces } from './network-interfaces.js';
import { associateRouteTable, createRouteTable, describeRouteTables, disassociateRouteTable } from './route-tables.js';
import { createRoute, deleteRoute, replaceRoute } from './routes.js';
import { createTags, deleteTags } from './tags.js';
import type { ActionDef } from './types.js';
import { createSubnet, createVpc, describeSubnets, describeVpcs } from './vpcs.js';

export const ACTIONS: ReadonlyMap<string, ActionDef> = new Map(
  [
    describeRouteTables,
    createRoute,
    replaceRoute,
    deleteRoute,
    createRouteTable,
    associateRouteTable,
    disassociateRouteTable,
    describeNetworkInterfaces,
    describeInstanceAttribute,
    modifyInstanceAttribute,
    modifyNetworkInterfaceAttribute,
    describeInstanceStatus,
    describeInstances,
    runInstances,
    stopInstances,
    startInstances,
    terminateInstances,
    createTags,
    deleteTags,
    createVpc,
    createSubnet,
    describeVpcs,
    describeSubnets,
    createNatGateway,
    deleteNatGateway,
    describeNatGateways,
  ].map((a) => [a.name, a]),
);

export type { ActionDef, ActionContext, ActionKind } from './types.js';
