/**
 * Reply handling: err_code checks that name module and method, and energy
 * readings normalised so both unit forms (W and mW, kWh and Wh, ...) exist
 * whichever one the firmware sent.
 */
import { DeviceError, ProtocolError, type DeviceAddress } from '../errors';
import { isObject } from './commands';
import { describeValue, parseBoundedJson, quoteStart } from '../json';

export type SmartHomeResponse = Record<string, unknown>;

/**
 * Parses a reply's text within the size and depth limits; anything but a
 * JSON object is a ProtocolError saying what was wrong.
 */
export function parseReply(text: string, address?: DeviceAddress): SmartHomeResponse {
  let value: unknown;
  try {
    value = parseBoundedJson(text);
  } catch (error) {
    throw new ProtocolError(error instanceof Error ? error.message : String(error), address, error);
  }
  if (!isObject(value)) throw new ProtocolError(`reply is not a JSON object: ${quoteStart(text)}`, address);
  return value;
}

/**
 * Checks that the reply answers the request: every module and every method
 * asked is there as an object (a reply to another request, or a bare
 * `"system":{}` for a set_relay_state, is a ProtocolError), and throws a
 * DeviceError for the first err_code other than 0 at module level ("module
 * not support") or method level, in request order.
 */
export function checkResponse(request: object, response: SmartHomeResponse, address?: DeviceAddress): void {
  for (const [module, methods] of Object.entries(request)) {
    if (module === 'context') continue;
    const reply = response[module];
    if (!isObject(reply)) {
      throw new ProtocolError(`reply to another request: no ${module} object in ${describeKeys(response)}`, address);
    }
    const moduleCode = errCodeOf(reply, module, address);
    if (moduleCode !== 0) throw new DeviceError(module, undefined, moduleCode, stringOrUndefined(reply.err_msg), address, response);
    if (!isObject(methods)) continue;
    for (const method of Object.keys(methods)) {
      const result = reply[method];
      if (!isObject(result)) {
        throw new ProtocolError(`reply to another request: no ${module}.${method} object in ${module} ${describeKeys(reply)}`, address);
      }
      const code = errCodeOf(result, `${module}.${method}`, address);
      if (code !== 0) throw new DeviceError(module, method, code, stringOrUndefined(result.err_msg), address, response);
    }
  }
}

/** An absent err_code means success; one present must be an integer. */
function errCodeOf(result: Record<string, unknown>, where: string, address: DeviceAddress | undefined): number {
  const code = result.err_code;
  if (code === undefined) return 0;
  if (typeof code === 'number' && Number.isSafeInteger(code)) return code;
  throw new ProtocolError(`${where}.err_code should be an integer, got ${describeValue(code)}`, address);
}

/** The keys of a reply object, for saying what came instead: {"emeter"}. */
function describeKeys(value: Record<string, unknown>): string {
  const keys = Object.keys(value);
  const shown = keys.slice(0, 4).map((k) => JSON.stringify(k.length > 30 ? `${k.slice(0, 30)}...` : k));
  return `{${shown.join(', ')}${keys.length > 4 ? ', ...' : ''}}`;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export interface EnergyReading {
  /** W */
  power: number;
  power_mw: number;
  /** V */
  voltage: number;
  voltage_mv: number;
  /** A */
  current: number;
  current_ma: number;
  /** kWh since the meter was last erased */
  total: number;
  total_wh: number;
  [extra: string]: unknown;
}

/** Pairs of (base unit, milli unit, factor from base to milli). */
const UNIT_PAIRS: Array<[string, string, number]> = [
  ['power', 'power_mw', 1000],
  ['voltage', 'voltage_mv', 1000],
  ['current', 'current_ma', 1000],
  ['total', 'total_wh', 1000],
  ['energy', 'energy_wh', 1000],
];

/** Adds the missing unit form of every known quantity; leaves others as they are. */
export function normalizeUnits<T extends Record<string, unknown>>(reading: T): T {
  const out: Record<string, unknown> = { ...reading };
  for (const [base, milli, factor] of UNIT_PAIRS) {
    const b = out[base];
    const m = out[milli];
    if (typeof b === 'number' && typeof m !== 'number') out[milli] = round(b * factor);
    else if (typeof m === 'number' && typeof b !== 'number') out[base] = round(m / factor);
  }
  delete out.err_code;
  return out as T;
}

/** Normalises a get_realtime reply; quantities absent from it read as 0. */
export function normalizeEnergy(reply: Record<string, unknown>): EnergyReading {
  const n = normalizeUnits(reply);
  const out = n as Record<string, unknown>;
  for (const [base, milli] of UNIT_PAIRS.slice(0, 4)) {
    if (typeof out[base] !== 'number') out[base] = 0;
    if (typeof out[milli] !== 'number') out[milli] = 0;
  }
  return out as EnergyReading;
}

export interface EnergyStat {
  year: number;
  month: number;
  day?: number;
  /** kWh */
  energy: number;
  energy_wh: number;
}

/** Normalises the entries of a get_daystat (day_list) or get_monthstat (month_list) reply. */
export function normalizeStats(list: unknown): EnergyStat[] {
  if (!Array.isArray(list)) return [];
  return list.filter(isObject).map((entry) => {
    const n = normalizeUnits(entry) as Record<string, unknown>;
    if (typeof n.energy !== 'number') n.energy = 0;
    if (typeof n.energy_wh !== 'number') n.energy_wh = 0;
    return n as unknown as EnergyStat;
  });
}

/** Avoids 0.1 + 0.2 style noise when converting units. */
function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
