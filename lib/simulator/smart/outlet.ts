/**
 * One switched thing of a simulated SMART device: a plug's relay, a strip
 * outlet or a bulb's light. It owns the on/off state, the time on per
 * local day, and the energy meter where the model meters (the same meter
 * the classic simulator uses, read in SMART's units).
 */
import { dayKey, EnergyMeter, localDay, type LocalDay } from '../energy-meter';
import type { SmartChildSpec, SmartEnergySpec } from './models';

const DAY_MS = 86_400_000;
/**
 * Days of time on kept: firmware reports today, the month and windows of
 * the last 7 and 30 days, so nothing before the 30th day back (or the
 * month's first, the 31st) is ever read again.
 */
const KEPT_DAYS = 31;

/** A local day as a count of days since 1970-01-01, so days step and compare as numbers. */
function dayNumber(day: LocalDay): number {
  return Date.UTC(day.year, day.month - 1, day.day) / DAY_MS;
}

export interface SmartOutletOptions {
  id: string;
  nickname: string;
  on: boolean;
  now: number;
  position: number;
  energy: SmartEnergySpec | undefined;
  loadW: number;
  voltage: number;
  seed: number;
  offsetMs: number;
  historyDays?: number;
  /** A child's category, avatar and components; undefined for the device's own relay. */
  child?: SmartChildSpec;
}

export class SmartOutlet {
  readonly id: string;
  readonly position: number;
  readonly energy: SmartEnergySpec | undefined;
  readonly meter: EnergyMeter | undefined;
  readonly child: SmartChildSpec | undefined;
  nickname: string;
  private relayOn: boolean;
  private onSince: number;
  /** Local day (dayNumber) → ms on, for today_runtime, month_runtime and get_device_usage's windows; the last KEPT_DAYS days only. */
  private readonly onMs = new Map<number, number>();
  private readonly offsetMs: number;
  private lastAccounted = 0;
  /** The local day onMs was last trimmed on: trimming again is needed only when the day moves on or days are restored. */
  private trimmedOn = Number.NaN;

  constructor(options: SmartOutletOptions) {
    this.id = options.id;
    this.position = options.position;
    this.nickname = options.nickname;
    this.relayOn = options.on;
    this.onSince = options.now;
    this.energy = options.energy;
    this.child = options.child;
    this.offsetMs = options.offsetMs;
    this.meter = options.energy
      ? new EnergyMeter({
        loadW: options.loadW, voltage: options.voltage, units: 'v2', seed: options.seed, now: options.now,
        historyDays: options.historyDays, offsetMs: options.offsetMs,
      })
      : undefined;
    this.meter?.update(options.now, options.offsetMs, { on: options.on });
  }

  get on(): boolean {
    return this.relayOn;
  }

  /** Seconds since switched on; 0 while off. */
  onTime(now: number): number {
    return this.relayOn ? Math.max(0, Math.floor((now - this.onSince) / 1000)) : 0;
  }

  set(on: boolean, now: number): void {
    this.account(now);
    if (on !== this.relayOn) this.onSince = now;
    this.relayOn = on;
    this.meter?.update(now, this.offsetMs, { on });
  }

  /** A relay as a device reported it: on or off, and (on) on for `onTimeSeconds` already. */
  restore(on: boolean, onTimeSeconds: number, now: number): void {
    this.set(on, now);
    if (on) {
      this.onSince = now - Math.max(0, onTimeSeconds) * 1000;
      this.lastAccounted = Math.max(this.lastAccounted, now);
    }
  }

  /**
   * Time on as a device reported it for `day` (a dump's today): minutes on
   * that day, and in its month. Only the day's and the month's sums are
   * ever reported, so the month's time before that day goes on its first.
   */
  restoreRuntime(day: LocalDay, todayMinutes: number, monthMinutes: number): void {
    this.restoreMinutesOn(day, todayMinutes);
    const before = monthMinutes - todayMinutes;
    if (before > 0 && day.day > 1) this.restoreMinutesOn({ ...day, day: 1 }, before);
  }

  /** Minutes on for one local day as a device reported it (a dump's get_device_usage shared out over its days); replaces the day's. */
  restoreMinutesOn(day: LocalDay, minutes: number): void {
    this.onMs.set(dayNumber(day), Math.max(0, minutes) * 60_000);
    this.trimmedOn = Number.NaN;
  }

  /** Light brightness scales a bulb's draw. */
  scale(scale: number, now: number): void {
    this.meter?.update(now, this.offsetMs, { scale });
  }

  /** Minutes on today and this month (local time). */
  runtimeMinutes(now: number): { today: number; month: number } {
    this.account(now);
    const today = localDay(now, this.offsetMs);
    const todayNumber = dayNumber(today);
    // Whole minutes per day, summed as get_device_usage's windows sum them, so a window over the whole month equals it.
    let month = 0;
    for (let day = todayNumber - today.day + 1; day <= todayNumber; day++) month += Math.floor((this.onMs.get(day) ?? 0) / 60_000);
    return { today: Math.floor((this.onMs.get(todayNumber) ?? 0) / 60_000), month };
  }

  /**
   * Whole minutes on for each of the last `count` local days (at most
   * KEPT_DAYS), oldest first, the last today's: what get_device_usage's
   * windows sum. Each day is floored on its own, as the windows add days.
   */
  minutesOnDays(now: number, count: number): number[] {
    this.account(now);
    const today = dayNumber(localDay(now, this.offsetMs));
    const days = Math.min(KEPT_DAYS, Math.max(0, count));
    return Array.from({ length: days }, (_, i) => Math.floor((this.onMs.get(today - days + 1 + i) ?? 0) / 60_000));
  }

  /**
   * Wh used on each of the last `count` local days, oldest first, the last
   * today's, from the meter's daily records (what get_energy_data reports
   * for them); undefined where the model has no meter.
   */
  whDays(now: number, count: number): number[] | undefined {
    if (!this.meter) return undefined;
    const today = dayNumber(localDay(now, this.offsetMs));
    const days = Array.from({ length: Math.max(0, count) }, (_, i) => localDay((today - count + 1 + i) * DAY_MS, 0));
    const recorded = new Map<string, number>();
    for (const { year, month } of new Map(days.map((d) => [`${d.year}-${d.month}`, d])).values()) {
      const list = (this.meter.dayStats(now, this.offsetMs, year, month).day_list ?? []) as Array<{ day: number; energy_wh: number }>;
      for (const { day, energy_wh: wh } of list) recorded.set(dayKey({ year, month, day }), wh);
    }
    return days.map((d) => recorded.get(dayKey(d)) ?? 0);
  }

  /** Wh used today and this month (local time), from the meter's daily records. */
  energyWh(now: number): { today: number; month: number } {
    if (!this.meter) return { today: 0, month: 0 };
    const today = localDay(now, this.offsetMs);
    const days = (this.meter.dayStats(now, this.offsetMs, today.year, today.month).day_list ?? []) as Array<{ day: number; energy_wh: number }>;
    return {
      today: days.find((d) => d.day === today.day)?.energy_wh ?? 0,
      month: days.reduce((sum, d) => sum + d.energy_wh, 0),
    };
  }

  /**
   * Adds the time on since the last call to the day it fell on (split at
   * local midnights). Time before the kept days is never read, so a clock
   * moved years on costs a month of steps, not one per day.
   */
  private account(now: number): void {
    const today = Math.floor((now + this.offsetMs) / DAY_MS);
    if (today !== this.trimmedOn) this.trim(today);
    if (!this.relayOn) return;
    let from = Math.max(this.onSince, this.lastAccounted, (today - KEPT_DAYS + 1) * DAY_MS - this.offsetMs);
    while (from < now) {
      const day = Math.floor((from + this.offsetMs) / DAY_MS);
      const until = Math.min(now, (day + 1) * DAY_MS - this.offsetMs);
      this.onMs.set(day, (this.onMs.get(day) ?? 0) + (until - from));
      from = until;
    }
    this.lastAccounted = now;
  }

  /** Drops the days before the last KEPT_DAYS up to `today`, so the records stay a month long however long the device runs. */
  private trim(today: number): void {
    for (const day of this.onMs.keys()) if (day <= today - KEPT_DAYS) this.onMs.delete(day);
    this.trimmedOn = today;
  }
}
