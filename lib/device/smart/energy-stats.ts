/**
 * Daily and monthly energy totals of a SMART meter in the classic shape
 * ({year, month, day?, energy, energy_wh}, as get_daystat/get_monthstat
 * give after normalisation), so a flow asking an HS110 for day or month
 * statistics gets the same message from a P110. get_energy_data counts in
 * the device's local calendar and takes epoch seconds of local midnights,
 * so the device's clock (get_device_time: now and time_diff) places the
 * request and tells which entries lie in the future (firmware fills them
 * with 0; a classic meter has no record for them, so they are left out).
 */
import type { SmartClient } from '../../smart/client';
import { ENERGY_DATA_INTERVAL, readDeviceTime, readEnergyData, type DeviceTime, type EnergyData } from '../../smart/energy-data';
import type { EnergyStat } from '../types';

const DAY_MS = 86_400_000;
const round = (value: number): number => Math.round(value * 1e6) / 1e6;

export interface LocalDate { year: number; month: number; day: number }

/** The device's offset from UTC in ms and its local date today. */
export interface DeviceClock { offsetMs: number; today: LocalDate }

function localDateOf(epochMs: number, offsetMs: number): LocalDate {
  const d = new Date(epochMs + offsetMs);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The clock a get_device_time answer tells: the dumper places its statistics requests by it too. */
export function clockOf(time: DeviceTime): DeviceClock {
  const offsetMs = time.time_diff * 60_000;
  return { offsetMs, today: localDateOf(time.timestamp * 1000, offsetMs) };
}

async function deviceClock(client: SmartClient): Promise<DeviceClock> {
  return clockOf(readDeviceTime(await client.call('get_device_time'), client.address));
}

/** Epoch seconds of local midnight starting `date` on a device `offsetMs` from UTC. */
function localMidnight(date: LocalDate, offsetMs: number): number {
  return (Date.UTC(date.year, date.month - 1, date.day) - offsetMs) / 1000;
}

const notAfter = (a: LocalDate, b: LocalDate): boolean =>
  a.year !== b.year ? a.year < b.year : a.month !== b.month ? a.month < b.month : a.day <= b.day;

function stat(date: LocalDate, wh: number, withDay: boolean): EnergyStat {
  const entry: EnergyStat = { year: date.year, month: date.month, energy: round(wh / 1000), energy_wh: wh };
  if (withDay) entry.day = date.day;
  return entry;
}

export interface EnergyDataParams { start_timestamp: number; end_timestamp: number; interval: number }

/**
 * What get_energy_data is asked for the days of `month` (the quarter it
 * lies in) on a device with this clock: exported so that a device dump
 * records the very request dayStats sends, and its fixture can answer it.
 */
export function dayStatsParams(clock: DeviceClock, year: number, month: number): EnergyDataParams {
  const start = localMidnight({ year, month: 3 * Math.floor((month - 1) / 3) + 1, day: 1 }, clock.offsetMs);
  return { start_timestamp: start, end_timestamp: start, interval: ENERGY_DATA_INTERVAL.daily };
}

/** What get_energy_data is asked for the months of `year` (exported for the same reason). */
export function monthStatsParams(clock: DeviceClock, year: number): EnergyDataParams {
  const start = localMidnight({ year, month: 1, day: 1 }, clock.offsetMs);
  return { start_timestamp: start, end_timestamp: start, interval: ENERGY_DATA_INTERVAL.monthly };
}

async function energyData(client: SmartClient, params: EnergyDataParams, childId: string | undefined): Promise<EnergyData> {
  return readEnergyData(await client.call('get_energy_data', { ...params }, { childId }), client.address);
}

/** The days of `month` (up to the device's today): the reply lists the whole quarter the month lies in. */
export async function smartDayStats(client: SmartClient, year: number, month: number, childId: string | undefined): Promise<EnergyStat[]> {
  const clock = await deviceClock(client);
  const reply = await energyData(client, dayStatsParams(clock, year, month), childId);
  // Placed from the start the device passed back, midnight of the quarter's first day (local).
  const first = localDateOf(reply.start_timestamp * 1000, clock.offsetMs);
  const base = Date.UTC(first.year, first.month - 1, first.day);
  return reply.data
    .map((wh, i) => ({ date: localDateOf(base + i * DAY_MS, 0), wh }))
    .filter(({ date }) => date.year === year && date.month === month && notAfter(date, clock.today))
    .map(({ date, wh }) => stat(date, wh, true));
}

/** The months of `year` (up to the device's current month): the reply lists twelve from January. */
export async function smartMonthStats(client: SmartClient, year: number, childId: string | undefined): Promise<EnergyStat[]> {
  const clock = await deviceClock(client);
  const reply = await energyData(client, monthStatsParams(clock, year), childId);
  const thisMonth = { ...clock.today, day: 1 };
  return reply.data
    .slice(0, 12)
    .map((wh, i) => ({ date: { year, month: i + 1, day: 1 }, wh }))
    .filter(({ date }) => notAfter(date, thisMonth))
    .map(({ date, wh }) => stat(date, wh, false));
}
