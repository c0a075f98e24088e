/**
 * What a classic (Smart Home protocol) device is asked when it is dumped:
 * every read-only query we know for its kind, one method per request so
 * that one refusal cannot hide the other answers, and the same queries for
 * each outlet of a strip. The modules per kind are the device layer's
 * (lib/device/classic/modules.ts); the list of getters is what real
 * firmware answers (the devices python-kasa records answer these, and
 * refuse the rest with their error codes, which the dump keeps too).
 */
import type { JsonObject } from '../json';
import { DIMMER_MODULE, modulesFor } from '../device/classic/modules';
import type { DeviceKind, DeviceState } from '../device/types';

/** Asked of every device once: unknown to any firmware, so the answers record how this one refuses a module and a method. */
export const UNKNOWN_MODULE_PROBE = 'kasa.dump.unknown_module';
export const UNKNOWN_METHOD_PROBE = 'kasa_dump_unknown_method';

export interface ClassicQueryOptions {
  /** The local date the statistics are asked for. */
  year: number;
  month: number;
  /** Also ask for a fresh Wi-Fi scan (slow: the device scans for seconds). */
  wifiScan: boolean;
}

const query = (module: string, method: string, params: JsonObject = {}): JsonObject => ({ [module]: { [method]: params } });

/**
 * Queries that read one meter and its rules: the device's own, or (with a
 * context) one outlet's. `stats`: the meter keeps daily and monthly totals
 * (a strip keeps them per outlet).
 */
function meterAndRules(kind: DeviceKind, stats: boolean, options: ClassicQueryOptions): JsonObject[] {
  const m = modulesFor(kind);
  const list: JsonObject[] = [query(m.emeter, 'get_realtime')];
  if (stats) {
    list.push(query(m.emeter, 'get_daystat', { year: options.year, month: options.month }), query(m.emeter, 'get_monthstat', { year: options.year }));
  }
  list.push(query(m.schedule, 'get_rules'), query(m.schedule, 'get_next_action'));
  if (m.countdown !== undefined) list.push(query(m.countdown, 'get_rules'));
  list.push(query(m.antiTheft, 'get_rules'));
  return list;
}

/** Everything asked of the device itself, after get_sysinfo. */
export function classicDeviceQueries(state: DeviceState, sysinfo: JsonObject, options: ClassicQueryOptions): JsonObject[] {
  const { kind } = state;
  const m = modulesFor(kind);
  const metered = state.features.includes('energy');
  const list: JsonObject[] = [
    ...meterAndRules(kind, metered && state.outlets.length === 0, options),
    query(m.time, 'get_time'), query(m.time, 'get_timezone'),
    query(m.cloud, 'get_info'), query(m.cloud, 'get_intl_fw_list'),
    query(m.wifi, 'get_stainfo'),
  ];
  if (options.wifiScan) list.push(query(m.wifi, 'get_scaninfo', { refresh: 1 }));
  if (m.light) list.push(query(m.light.module, 'get_light_state'), query(m.light.module, 'get_light_details'), query(m.light.module, 'get_default_behavior'));
  if (kind === 'lightstrip' || sysinfo.lighting_effect_state !== undefined) list.push(query('smartlife.iot.lighting_effect', 'get_lighting_effect'));
  if (kind === 'dimmer') {
    list.push(query(DIMMER_MODULE, 'get_dimmer_parameters'), query(DIMMER_MODULE, 'get_default_behavior'));
    // Dimmers with a motion or light sensor (ES20M, KS220M) answer these; the rest refuse them.
    list.push(query('smartlife.iot.PIR', 'get_config'), query('smartlife.iot.LAS', 'get_config'));
  }
  if (kind === 'strip') list.push(query('smartlife.iot.smartpowerstrip.manage', 'get_relationship'));
  list.push(query(UNKNOWN_MODULE_PROBE, 'get_info'), query(m.system, UNKNOWN_METHOD_PROBE));
  return list;
}

/** Everything asked of one outlet of a strip (the request carries its context). */
export function classicOutletQueries(state: DeviceState, childId: string, options: ClassicQueryOptions): JsonObject[] {
  const metered = state.features.includes('energy');
  return meterAndRules(state.kind, metered, options).map((request) => ({ context: { child_ids: [childId] }, ...request }));
}
