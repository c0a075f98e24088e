/**
 * A whole power strip's energy: the sum of its outlets', for a reading and
 * for daily or monthly totals, in both unit forms like a single meter's.
 * The same for every protocol family.
 */
import type { EnergyReading, EnergyStat, StripEnergyReading } from './types';

const round = (value: number): number => Math.round(value * 1e6) / 1e6;

/** Power, current and total add up; the voltage is the highest an outlet saw (they share the mains). */
export function sumReadings(readings: readonly EnergyReading[]): StripEnergyReading {
  const sum = (key: 'power_mw' | 'current_ma' | 'total_wh'): number => round(readings.reduce((n, r) => n + r[key], 0));
  const voltageMv = Math.max(0, ...readings.map((r) => r.voltage_mv));
  const powerMw = sum('power_mw');
  const currentMa = sum('current_ma');
  const totalWh = sum('total_wh');
  return {
    power: round(powerMw / 1000), power_mw: powerMw, voltage: round(voltageMv / 1000), voltage_mv: voltageMv,
    current: round(currentMa / 1000), current_ma: currentMa, total: round(totalWh / 1000), total_wh: totalWh,
    outlets: [...readings],
  };
}

/** Adds up the outlets' totals entry by entry (same year, month and day), in date order. */
export function sumStats(lists: ReadonlyArray<readonly EnergyStat[]>): EnergyStat[] {
  const byDate = new Map<string, EnergyStat>();
  for (const list of lists) {
    for (const entry of list) {
      const key = `${entry.year}-${entry.month}-${entry.day ?? 0}`;
      const known = byDate.get(key);
      if (known) {
        known.energy_wh = round(known.energy_wh + entry.energy_wh);
        known.energy = round(known.energy_wh / 1000);
      } else {
        const copy: EnergyStat = { year: entry.year, month: entry.month, energy: entry.energy, energy_wh: entry.energy_wh };
        if (entry.day !== undefined) copy.day = entry.day;
        byDate.set(key, copy);
      }
    }
  }
  return [...byDate.values()].sort((a, b) => a.year - b.year || a.month - b.month || (a.day ?? 0) - (b.day ?? 0));
}
