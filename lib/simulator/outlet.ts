/**
 * One switched outlet: a plug, one socket of a power strip, or a light
 * (bulb or light strip). It owns the relay, the on_time counter, the meter
 * and the rules, because on an HS300 each socket has its own of all of these.
 */
import { EnergyMeter } from './energy-meter';
import type { ModelSpec } from './models';
import { RuleTable } from './rules';
import { eventsBetween, type RuleEvent, type ScheduleEnv } from './scheduler';

export interface OutletOptions {
  id: string;
  alias: string;
  on: boolean;
  now: number;
  spec: ModelSpec;
  /** Distinguishes the load curves of outlets on one device. */
  seed: number;
  withMeter: boolean;
  initialTotalWh?: number;
  historyDays?: number;
  /** Local time minus clock time at start, ms: history days are local days. */
  offsetMs?: number;
}

export class Outlet {
  readonly id: string;
  alias: string;
  readonly meter: EnergyMeter | undefined;
  readonly schedule: RuleTable;
  readonly countDown: RuleTable;
  readonly antiTheft: RuleTable;
  private relayOn: boolean;
  private onSince: number;

  constructor(options: OutletOptions) {
    this.id = options.id;
    this.alias = options.alias;
    this.relayOn = options.on;
    this.onSince = options.now;
    this.meter = options.withMeter
      ? new EnergyMeter({
          // Plugs and strip outlets feed different appliances; a bulb or light strip draws its rating.
          loadW: options.spec.light ? options.spec.loadW : options.spec.loadW * (0.6 + 0.8 * ((options.seed % 101) / 101)),
          voltage: options.spec.voltage,
          units: options.spec.emeter,
          seed: options.seed,
          now: options.now,
          initialTotalWh: options.initialTotalWh,
          historyDays: options.historyDays,
          offsetMs: options.offsetMs,
        })
      : undefined;
    this.meter?.update(options.now, options.offsetMs ?? 0, { on: options.on });
    this.schedule = new RuleTable('schedule', options.id);
    this.countDown = new RuleTable('count_down', options.id);
    this.antiTheft = new RuleTable('anti_theft', options.id);
  }

  get isOn(): boolean {
    return this.relayOn;
  }

  /** Accounts energy up to `now` before the relay changes, so none is lost or invented. */
  setRelay(on: boolean, now: number, offsetMs: number): void {
    this.meter?.update(now, offsetMs, { on });
    if (on && !this.relayOn) this.onSince = now;
    this.relayOn = on;
  }

  /** A relay as a device reported it: on or off, and (on) closed for `onTimeSeconds` already. */
  restoreRelay(on: boolean, onTimeSeconds: number, now: number, offsetMs: number): void {
    this.setRelay(on, now, offsetMs);
    if (on) this.onSince = now - Math.max(0, onTimeSeconds) * 1000;
  }

  /** Seconds the relay has been closed, 0 when open. */
  onTime(now: number): number {
    return this.relayOn ? Math.max(0, Math.floor((now - this.onSince) / 1000)) : 0;
  }

  /**
   * What the schedule, away mode and the timer do after `from` up to `to`,
   * in time order; an expired timer is disarmed as it is handed out. The
   * device applies them, since a strip-wide or bulb action is not this
   * outlet's alone.
   */
  dueEvents(from: number, to: number, env: ScheduleEnv): RuleEvent[] {
    const events = [...eventsBetween(this.schedule, from, to, env), ...eventsBetween(this.antiTheft, from, to, env)];
    for (let fired = this.countDown.takeExpiredTimer(to); fired; fired = this.countDown.takeExpiredTimer(to)) {
      events.push({ at: fired.at, action: fired.act === 1 ? 1 : 0 });
    }
    return events.sort((a, b) => a.at - b.at);
  }
}
