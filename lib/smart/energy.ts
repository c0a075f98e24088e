/**
 * SMART energy readings in the classic Kasa shape (W, V, A, kWh, each with
 * its milli form), so that a flow charting an HS110 works for a P110.
 * Three methods carry pieces of it, and models answer different subsets:
 *   get_energy_usage   today/month Wh and minutes; current_power in mW
 *                      (absent on P304M outlets)
 *   get_current_power  current_power in whole W (energy_monitoring v2)
 *   get_emeter_data    power_mw, voltage_mv, current_ma, energy_wh (newer
 *                      firmware of P110, KP125M, P110M)
 * The most precise source wins: emeter data, then energy usage, then the
 * whole-watt reading.
 */
import { shape } from '../json';
import type { DeviceAddress } from '../errors';
import { readShape } from './envelope';

const count = shape.lenient(shape.numberIn(0, 1e12));

const energyUsageShape = shape.object({
  current_power: count,
  today_energy: count,
  month_energy: count,
  today_runtime: count,
  month_runtime: count,
});
const currentPowerShape = shape.object({ current_power: shape.numberIn(0, 1e9) });
const emeterDataShape = shape.object({
  power_mw: shape.numberIn(0, 1e12),
  voltage_mv: count,
  current_ma: count,
  energy_wh: count,
});

export type EnergyUsage = shape.ReadResult<typeof energyUsageShape>;
export type CurrentPower = shape.ReadResult<typeof currentPowerShape>;
export type EmeterData = shape.ReadResult<typeof emeterDataShape>;

export const readEnergyUsage = (result: unknown, address?: DeviceAddress): EnergyUsage =>
  readShape(energyUsageShape, result, 'get_energy_usage result', address);
export const readCurrentPower = (result: unknown, address?: DeviceAddress): CurrentPower =>
  readShape(currentPowerShape, result, 'get_current_power result', address);
export const readEmeterData = (result: unknown, address?: DeviceAddress): EmeterData =>
  readShape(emeterDataShape, result, 'get_emeter_data result', address);

export interface SmartEnergyReading {
  /** W */
  power: number;
  power_mw: number;
  /** V and A: only from get_emeter_data. */
  voltage?: number;
  voltage_mv?: number;
  current?: number;
  current_ma?: number;
  /** kWh on the meter (get_emeter_data's energy_wh); SMART devices report no lifetime total otherwise. */
  total?: number;
  total_wh?: number;
  /** kWh and Wh used today and this month (device's local time). */
  today?: number;
  today_wh?: number;
  month?: number;
  month_wh?: number;
  /** Minutes on today and this month. */
  today_runtime?: number;
  month_runtime?: number;
}

export interface EnergySources {
  usage?: EnergyUsage | undefined;
  currentPower?: CurrentPower | undefined;
  emeter?: EmeterData | undefined;
}

const round = (value: number): number => Math.round(value * 1e6) / 1e6;

/** Undefined when no source carries a power reading. */
export function combineEnergy(sources: EnergySources): SmartEnergyReading | undefined {
  const { usage, currentPower, emeter } = sources;
  const powerMw = emeter?.power_mw ?? usage?.current_power ?? (currentPower ? currentPower.current_power * 1000 : undefined);
  if (powerMw === undefined) return undefined;
  const reading: SmartEnergyReading = { power: round(powerMw / 1000), power_mw: Math.round(powerMw) };
  const pair = (base: 'voltage' | 'current' | 'total' | 'today' | 'month', milli: 'voltage_mv' | 'current_ma' | 'total_wh' | 'today_wh' | 'month_wh', value: number | undefined): void => {
    if (value === undefined) return;
    reading[milli] = value;
    reading[base] = round(value / 1000);
  };
  pair('voltage', 'voltage_mv', emeter?.voltage_mv);
  pair('current', 'current_ma', emeter?.current_ma);
  pair('total', 'total_wh', emeter?.energy_wh);
  pair('today', 'today_wh', usage?.today_energy);
  pair('month', 'month_wh', usage?.month_energy);
  if (usage?.today_runtime !== undefined) reading.today_runtime = usage.today_runtime;
  if (usage?.month_runtime !== undefined) reading.month_runtime = usage.month_runtime;
  return reading;
}
