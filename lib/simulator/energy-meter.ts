/**
 * An energy meter for one outlet. The load is a smooth function of time
 * (a slow drift plus a faster ripple that is visible over a few seconds),
 * so the energy between two instants is an exact integral: fast-forwarding
 * an injected clock by a month costs one step per day, not per second.
 */
import type { EmeterUnits } from './models';

const DAY_MS = 86_400_000;
/** Stop splitting energy into days beyond this span; older energy only counts in the total. */
const MAX_SPLIT_DAYS = 800;
const SLOW_PERIOD_S = 900;
const FAST_PERIOD_S = 17;
const SLOW_SWING = 0.12;
const FAST_SWING = 0.04;
const POWER_FACTOR = 0.92;

export interface EnergyMeterOptions {
  /** Load in W when on at full scale. */
  loadW: number;
  voltage: number;
  units: EmeterUnits;
  /** Varies the phase and noise so that outlets do not move in lockstep. */
  seed: number;
  now: number;
  /** Total already on the meter at start, in Wh; spread over the history days when there are any. */
  initialTotalWh?: number;
  /** Full local days before today to make up records for, plus today up to `now`. */
  historyDays?: number;
  /** Local time minus clock time, ms. */
  offsetMs?: number;
}

/** A local calendar day as the device sees it. */
export interface LocalDay {
  year: number;
  month: number;
  day: number;
}

export class EnergyMeter {
  private readonly loadW: number;
  private readonly voltage: number;
  private readonly units: EmeterUnits;
  private readonly seed: number;
  private readonly phaseSlow: number;
  private readonly phaseFast: number;
  private lastT: number;
  private totalWh: number;
  /** `year-month-day` (local) → Wh. */
  private days = new Map<string, number>();
  private scale = 1;
  private on = false;
  vgain = 13462;
  igain = 16835;

  constructor(options: EnergyMeterOptions) {
    this.loadW = options.loadW;
    this.voltage = options.voltage;
    this.units = options.units;
    this.seed = options.seed;
    this.phaseSlow = (options.seed % 997) / 997 * 2 * Math.PI;
    this.phaseFast = (options.seed % 991) / 991 * 2 * Math.PI;
    this.lastT = options.now;
    this.totalWh = options.initialTotalWh ?? 0;
    const historyDays = Math.min(MAX_SPLIT_DAYS, Math.max(0, Math.floor(options.historyDays ?? 0)));
    if (historyDays > 0) this.seedHistory(options.now, options.offsetMs ?? 0, historyDays, options.initialTotalWh);
  }

  /**
   * Made-up records for the days before `now`: each day's use varies by a
   * seeded factor (weekends a little higher), so a chart of them looks like
   * a household rather than a flat line, and the same seed gives the same
   * history. Whole Wh per day, so the days add up exactly to total_wh; a
   * given initial total is shared out among the days rather than added.
   */
  private seedHistory(now: number, offsetMs: number, days: number, initialTotalWh: number | undefined): void {
    const local = now + offsetMs;
    const today = Math.floor(local / DAY_MS);
    const weights: Array<{ day: number; weight: number }> = [];
    for (let day = today - days; day <= today; day++) {
      // Today only up to now.
      const share = day === today ? (local - today * DAY_MS) / DAY_MS : 1;
      weights.push({ day, weight: share * this.dayFactor(day) });
    }
    const sum = weights.reduce((acc, w) => acc + w.weight, 0);
    const target = initialTotalWh !== undefined ? Math.round(initialTotalWh) : Math.round(this.loadW * 24 * sum);
    const amounts = shareOut(target, weights.map((w) => w.weight));
    weights.forEach(({ day }, i) => {
      if (amounts[i] > 0) this.days.set(dayKey(localDay(day * DAY_MS, 0)), amounts[i]);
    });
    this.totalWh = target;
  }

  /** How heavily the appliance was used on local day `day`, around 1. */
  private dayFactor(day: number): number {
    const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday
    const weekend = weekday === 0 || weekday === 6 ? 1.15 : 1;
    return (0.55 + 0.7 * hashUnit(this.seed + 31, day)) * weekend;
  }

  /**
   * Accounts the energy used up to `now` under the present state, then
   * switches to the new state. `offsetMs` maps the clock to local time.
   */
  update(now: number, offsetMs: number, state?: { on?: boolean; scale?: number }): void {
    if (now > this.lastT) {
      if (this.on && this.scale > 0) this.accumulate(this.lastT, now, offsetMs);
      this.lastT = now;
    }
    if (state?.on !== undefined) this.on = state.on;
    if (state?.scale !== undefined) this.scale = Math.max(0, state.scale);
  }

  /** Instantaneous power in W (noise included; zero when off). */
  powerAt(t: number): number {
    if (!this.on || this.scale === 0) return 0;
    const noise = 1 + 0.01 * (hashUnit(this.seed, Math.floor(t / 1000)) - 0.5);
    return this.smoothPower(t / 1000) * noise;
  }

  voltageAt(t: number): number {
    const s = t / 1000;
    return this.voltage * (1 + 0.008 * Math.sin(2 * Math.PI * s / 47 + this.phaseFast)) + 0.2 * (hashUnit(this.seed + 7, Math.floor(s)) - 0.5);
  }

  realtime(now: number, offsetMs: number): Record<string, number> {
    this.update(now, offsetMs);
    const power = this.powerAt(now);
    const voltage = this.voltageAt(now);
    const current = power === 0 ? 0 : power / (voltage * POWER_FACTOR);
    const totalWh = this.totalWh;
    switch (this.units) {
      case 'v1':
        return { voltage: round(voltage, 6), current: round(current, 6), power: round(power, 6), total: round(totalWh / 1000, 3), err_code: 0 };
      case 'bulb':
        return { power_mw: Math.round(power * 1000), err_code: 0 };
      case 'bulb-total':
        return { power_mw: Math.round(power * 1000), total_wh: Math.round(totalWh), err_code: 0 };
      default:
        return {
          voltage_mv: Math.round(voltage * 1000),
          current_ma: Math.round(current * 1000),
          power_mw: Math.round(power * 1000),
          total_wh: Math.round(totalWh),
          err_code: 0,
        };
    }
  }

  /** Days of `month` (1-12) of `year` that have a record, as firmware lists them. */
  dayStats(now: number, offsetMs: number, year: number, month: number): Record<string, unknown> {
    this.update(now, offsetMs);
    const dayList: Record<string, number>[] = [];
    for (const [key, wh] of this.days) {
      const [y, m, d] = key.split('-').map(Number);
      if (y === year && m === month) dayList.push({ year: y, month: m, day: d, ...this.energyField(wh) });
    }
    dayList.sort((a, b) => a.day - b.day);
    return { day_list: dayList, err_code: 0 };
  }

  monthStats(now: number, offsetMs: number, year: number): Record<string, unknown> {
    this.update(now, offsetMs);
    const months = new Map<number, number>();
    for (const [key, wh] of this.days) {
      const [y, m] = key.split('-').map(Number);
      if (y === year) months.set(m, (months.get(m) ?? 0) + wh);
    }
    const monthList = [...months.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([month, wh]) => ({ year, month, ...this.energyField(wh) }));
    return { month_list: monthList, err_code: 0 };
  }

  /**
   * The meter as a device reported it: daily totals (get_daystat), which
   * replace whatever the meter had for those days, and the total in Wh.
   */
  restore(days: ReadonlyArray<LocalDay & { wh: number }>, totalWh: number | undefined): void {
    for (const { year, month, day, wh } of days) this.days.set(dayKey({ year, month, day }), wh);
    if (totalWh !== undefined) this.totalWh = totalWh;
  }

  erase(now: number, offsetMs: number): void {
    this.update(now, offsetMs);
    this.days.clear();
    this.totalWh = 0;
  }

  get totalEnergyWh(): number {
    return this.totalWh;
  }

  private energyField(wh: number): Record<string, number> {
    return this.units === 'v1' ? { energy: round(wh / 1000, 3) } : { energy_wh: Math.round(wh) };
  }

  private smoothPower(s: number): number {
    const slow = SLOW_SWING * Math.sin(2 * Math.PI * s / SLOW_PERIOD_S + this.phaseSlow);
    const fast = FAST_SWING * Math.sin(2 * Math.PI * s / FAST_PERIOD_S + this.phaseFast);
    return this.loadW * this.scale * (1 + slow + fast);
  }

  /** Exact integral of smoothPower over [s1, s2] seconds, in Wh. */
  private integralWh(s1: number, s2: number): number {
    const ws = 2 * Math.PI / SLOW_PERIOD_S;
    const wf = 2 * Math.PI / FAST_PERIOD_S;
    const slow = (SLOW_SWING / ws) * (Math.cos(ws * s1 + this.phaseSlow) - Math.cos(ws * s2 + this.phaseSlow));
    const fast = (FAST_SWING / wf) * (Math.cos(wf * s1 + this.phaseFast) - Math.cos(wf * s2 + this.phaseFast));
    return this.loadW * this.scale * (s2 - s1 + slow + fast) / 3600;
  }

  private accumulate(t1: number, t2: number, offsetMs: number): void {
    let from = Math.max(t1, t2 - MAX_SPLIT_DAYS * DAY_MS);
    if (from > t1) this.totalWh += this.integralWh(t1 / 1000, from / 1000);
    while (from < t2) {
      const local = from + offsetMs;
      const nextMidnight = Math.floor(local / DAY_MS) * DAY_MS + DAY_MS - offsetMs;
      const to = Math.min(t2, nextMidnight);
      const wh = this.integralWh(from / 1000, to / 1000);
      const key = dayKey(localDay(from, offsetMs));
      this.days.set(key, (this.days.get(key) ?? 0) + wh);
      this.totalWh += wh;
      from = to;
    }
  }
}

export function localDay(t: number, offsetMs: number): LocalDay {
  const d = new Date(t + offsetMs);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Splits a whole `total` in proportion to `weights` into whole parts that add up to it (largest remainder). */
function shareOut(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0 || total <= 0) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, rest: x - Math.floor(x) })).sort((a, b) => b.rest - a.rest);
  for (let k = 0; k < order.length && left > 0; k++, left--) parts[order[k].i] += 1;
  return parts;
}

/** A day as a map key: the meter's and an outlet's time-on records use the same. */
export function dayKey(d: LocalDay): string {
  return `${d.year}-${d.month}-${d.day}`;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** A deterministic value in [0, 1) for (seed, n). */
export function hashUnit(seed: number, n: number): number {
  let h = Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(n | 0, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 0x1_0000_0000;
}
