/**
 * One switched thing of a simulated SMART device: a plug's relay, a strip
 * outlet or a bulb's light. It owns the on/off state, the time on, and the
 * energy meter where the model meters (the same meter the classic
 * simulator uses, read in SMART's units).
 */
import { dayKey, EnergyMeter, localDay, type LocalDay } from '../energy-meter';
import type { SmartChildSpec, SmartEnergySpec } from './models';

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
  /** Local day key → ms on, for today_runtime and month_runtime. */
  private readonly onMs = new Map<string, number>();
  private readonly offsetMs: number;
  private lastAccounted = 0;

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
    this.onMs.set(dayKey(day), todayMinutes * 60_000);
    const before = monthMinutes - todayMinutes;
    if (before > 0 && day.day > 1) this.onMs.set(dayKey({ ...day, day: 1 }), before * 60_000);
  }

  /** Light brightness scales a bulb's draw. */
  scale(scale: number, now: number): void {
    this.meter?.update(now, this.offsetMs, { scale });
  }

  /** Minutes on today and this month (local time). */
  runtimeMinutes(now: number): { today: number; month: number } {
    this.account(now);
    const today = localDay(now, this.offsetMs);
    let month = 0;
    for (const [key, ms] of this.onMs) if (key.startsWith(`${today.year}-${today.month}-`)) month += ms;
    return { today: Math.floor((this.onMs.get(dayKey(today)) ?? 0) / 60_000), month: Math.floor(month / 60_000) };
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

  /** Adds the time on since the last call to the day it fell on (split at local midnights). */
  private account(now: number): void {
    if (!this.relayOn) return;
    let from = Math.max(this.onSince, this.lastAccounted);
    while (from < now) {
      const local = from + this.offsetMs;
      const midnight = (Math.floor(local / 86_400_000) + 1) * 86_400_000 - this.offsetMs;
      const until = Math.min(now, midnight);
      const key = dayKey(localDay(from, this.offsetMs));
      this.onMs.set(key, (this.onMs.get(key) ?? 0) + (until - from));
      from = until;
    }
    this.lastAccounted = now;
  }
}
