/**
 * Which modules each kind of device answers, under which names. Plugs use
 * the short names (`system`, `emeter`, `schedule`); bulbs the
 * `smartlife.iot.common.*` ones, and every device answers
 * `system.get_sysinfo` because discovery asks every device that.
 */
import { cloudMethods, netifMethods, systemMethods, timeMethods } from './handlers-system';
import { emeterMethods, ruleMethods } from './handlers-rules';
import { dimmerMethods, lightingMethods, stripManageMethods } from './handlers-light';
import type { ModelSpec } from './models';
import type { Outlet } from './outlet';
import type { Params, ReplyError } from './reply-errors';
import type { SimulatedDevice } from './simulated-device';

export interface MethodContext {
  device: SimulatedDevice;
  now: number;
  /** Outlets named by `context.child_ids` (power strips only). */
  children?: Outlet[];
  /** Set when `context.child_ids` was malformed or named an unknown outlet. */
  childError?: ReplyError;
}

export type MethodHandler = (params: unknown, ctx: MethodContext) => Params;
export type MethodTable = Map<string, MethodHandler>;

/** Outlets a child-aware method acts on: the named children, else all outlets. */
export function targetOutlets(ctx: MethodContext): Outlet[] {
  if (ctx.childError) throw ctx.childError;
  return ctx.children ?? ctx.device.outlets;
}

/** The one outlet a child-aware read acts on: the first named child, else the device itself. */
export function targetOutlet(ctx: MethodContext): Outlet {
  if (ctx.childError) throw ctx.childError;
  return ctx.children?.[0] ?? ctx.device.main;
}

const cache = new Map<string, Map<string, MethodTable>>();

export function moduleTablesFor(spec: ModelSpec): Map<string, MethodTable> {
  const key = `${spec.kind}:${spec.emeter}`;
  let tables = cache.get(key);
  if (!tables) {
    tables = buildTables(spec);
    cache.set(key, tables);
  }
  return tables;
}

function buildTables(spec: ModelSpec): Map<string, MethodTable> {
  const tables = new Map<string, MethodTable>();
  const hasMeter = spec.emeter !== 'none';
  if (spec.kind === 'bulb') {
    const system = systemMethods(spec);
    tables.set('system', system);
    tables.set('smartlife.iot.common.system', system);
    tables.set('smartlife.iot.common.cloud', cloudMethods());
    tables.set('smartlife.iot.common.timesetting', timeMethods());
    tables.set('smartlife.iot.common.emeter', emeterMethods());
    tables.set('smartlife.iot.common.schedule', ruleMethods('schedule'));
    tables.set('smartlife.iot.smartbulb.lightingservice', lightingMethods());
    tables.set('netif', netifMethods());
    return tables;
  }
  tables.set('system', systemMethods(spec));
  tables.set('netif', netifMethods());
  tables.set('cnCloud', cloudMethods());
  tables.set('time', timeMethods());
  if (hasMeter) tables.set('emeter', emeterMethods());
  tables.set('schedule', ruleMethods('schedule'));
  tables.set('count_down', ruleMethods('count_down'));
  tables.set('anti_theft', ruleMethods('anti_theft'));
  if (spec.kind === 'dimmer') tables.set('smartlife.iot.dimmer', dimmerMethods());
  if (spec.kind === 'strip') tables.set('smartlife.iot.smartpowerstrip.manage', stripManageMethods());
  return tables;
}
