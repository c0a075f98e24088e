import { strict as assert } from 'assert';
import { startDevice } from '../../lib/simulator/device-server';
import { SimulatedDevice } from '../../lib/simulator/simulated-device';
import { sunEventUtcMinutes } from '../../lib/simulator/sun';
import { provesNothingHappensFor, waitFor } from '../support/wait';
import { fakeClock } from './wire';

type Reply = Record<string, Record<string, Record<string, unknown>>>;

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const ALL_DAYS = [1, 1, 1, 1, 1, 1, 1];

/** A schedule rule as the Kasa app writes one; override what a test cares about. */
function rule(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    stime_opt: 0, wday: ALL_DAYS, smin: 600, enable: 1, repeat: 1, etime_opt: -1, name: 'r', eact: -1, month: 0, sact: 1,
    year: 0, longitude: 0, day: 0, force: 0, latitude: 0, emin: 0, ...fields,
  };
}

interface Rig {
  device: SimulatedDevice;
  ask: (req: object) => Reply;
  /** Moves the fake clock to `t` and lets the device act, as the server's timer does. */
  at: (t: number) => void;
  relay: () => boolean;
}

function rig(model: string, start: number, extra: Record<string, unknown> = {}): Rig {
  const clock = fakeClock(start);
  const device = new SimulatedDevice({ model, seed: `sched-${model}`, clock: clock.now, on: false, ...extra });
  return {
    device,
    ask: (req) => device.handle(req) as Reply,
    at: (t) => {
      clock.set(t);
      device.tick();
    },
    relay: () => device.main.isOn,
  };
}

/** Ticks minute by minute from `from` to `to` (or the first change) and lists each relay change as [clock time, on]. */
function watch(r: Rig, from: number, to: number, firstOnly = false): Array<[number, boolean]> {
  const changes: Array<[number, boolean]> = [];
  let state = r.relay();
  for (let t = from; t <= to; t += MIN) {
    r.at(t);
    if (r.relay() !== state) {
      state = r.relay();
      changes.push([t, state]);
      if (firstOnly) break;
    }
  }
  return changes;
}

const iso = (t: number): string => new Date(t).toISOString().slice(0, 16);

describe('simulator schedule', () => {
  // Monday 2024-01-15 00:00 UTC.
  const MONDAY = Date.UTC(2024, 0, 15);

  it('a fixed-time rule switches at its minute on its weekdays only, in local time', () => {
    // UTC+1: Wednesday 16:54 local is 15:54 UTC.
    const r = rig('HS105', MONDAY, { utcOffsetMinutes: 60 });
    r.ask({ schedule: { add_rule: rule({ wday: [0, 0, 0, 1, 0, 0, 0], smin: 1014 }) } });
    const wednesday = MONDAY + 2 * DAY;
    r.at(wednesday + 15 * HOUR + 53 * MIN + 59_000);
    assert.equal(r.relay(), false, 'not before, and not on Monday or Tuesday');
    r.at(wednesday + 15 * HOUR + 54 * MIN + 30_000);
    assert.equal(r.relay(), true);
    const info = r.ask({ system: { get_sysinfo: null } }).system.get_sysinfo;
    assert.equal(info.on_time, 30, 'on since 16:54:00, not since the tick');
    r.ask({ system: { set_relay_state: { state: 0 } } });
    // Thursday to the next Tuesday: nothing; the next Wednesday: on again.
    assert.deepEqual(watch(r, wednesday + DAY, wednesday + 7 * DAY + 15 * HOUR).map(([t]) => iso(t)), []);
    assert.deepEqual(watch(r, wednesday + 7 * DAY + 15 * HOUR, wednesday + 8 * DAY).map(([t, on]) => [iso(t), on]), [['2024-01-24T15:54', true]]);
  });

  it('end actions: on at the start, off at the end, overnight ending the next morning', () => {
    const r = rig('HS100', MONDAY);
    r.ask({ schedule: { add_rule: rule({ wday: [0, 1, 0, 0, 0, 0, 0], smin: 22 * 60, etime_opt: 0, emin: 6 * 60 + 30, eact: 0 }) } });
    const changes = watch(r, MONDAY, MONDAY + 2 * DAY).map(([t, on]) => [iso(t), on]);
    assert.deepEqual(changes, [['2024-01-15T22:00', true], ['2024-01-16T06:30', false]]);
  });

  it('sunrise and sunset: NOAA times for the device location, within 2 minutes of the published ones', () => {
    // London, 2024-06-20 (a Thursday): sunrise 04:43, sunset 21:21 BST (UTC+1), per timeanddate.com / HM Nautical Almanac.
    const day = Date.UTC(2024, 5, 20);
    const r = rig('HS105', day - DAY, { utcOffsetMinutes: 60 });
    r.ask({ system: { set_dev_location: { latitude: 51.5074, longitude: -0.1278 } } });
    const id = r.ask({ schedule: { add_rule: rule({ stime_opt: 1, smin: 0, etime_opt: 2, emin: 0, eact: 0 }) } }).schedule.add_rule.id;
    r.at(day - HOUR); // 00:00 local
    const next = r.ask({ schedule: { get_next_action: null } }).schedule.get_next_action;
    assert.equal(next.id, id);
    assert.equal(next.action, 1);
    assert.ok(Math.abs((next.schd_sec as number) - (4 * 3600 + 43 * 60)) <= 120, `sunrise at ${next.schd_sec} s`);
    const changes = watch(r, day - HOUR, day + 23 * HOUR);
    assert.equal(changes.length, 2);
    const localMinute = (t: number): number => (t + HOUR - day) / MIN;
    assert.ok(Math.abs(localMinute(changes[0][0]) - (4 * 60 + 43)) <= 2 && changes[0][1], `on at ${iso(changes[0][0])} UTC`);
    assert.ok(Math.abs(localMinute(changes[1][0]) - (21 * 60 + 21)) <= 2 && !changes[1][1], `off at ${iso(changes[1][0])} UTC`);
  });

  it('sunrise from the rule\'s own location when the device has none, 06:00 / 18:00 when neither has one', () => {
    // New York, 2024-01-01: sunrise 07:20 EST (UTC-5), per timeanddate.com.
    const newYear = Date.UTC(2024, 0, 1);
    const ny = rig('HS100', newYear, { utcOffsetMinutes: -300 });
    ny.ask({ schedule: { add_rule: rule({ stime_opt: 1, latitude: 40.7128, longitude: -74.006 }) } });
    const [[onAt]] = watch(ny, newYear + 10 * HOUR, newYear + 14 * HOUR);
    assert.ok(Math.abs((onAt - 5 * HOUR - newYear) / MIN - (7 * 60 + 20)) <= 2, `on at ${iso(onAt)} UTC`);

    const nowhere = rig('HS100', MONDAY);
    nowhere.ask({ schedule: { add_rule: rule({ stime_opt: 1, etime_opt: 2, eact: 0 }) } });
    assert.deepEqual(watch(nowhere, MONDAY, MONDAY + DAY).map(([t, on]) => [iso(t), on]), [['2024-01-15T06:00', true], ['2024-01-15T18:00', false]]);
  });

  it('NOAA sunrise/sunset against published times', () => {
    const local = (utcMin: number | undefined, offsetH: number): number => (utcMin ?? NaN) + offsetH * 60;
    // Sydney 2024-01-01 (UTC+11): 05:47 / 20:09.
    assert.ok(Math.abs(local(sunEventUtcMinutes(2024, 1, 1, -33.8688, 151.2093, 'sunrise'), 11) - (5 * 60 + 47)) <= 2);
    assert.ok(Math.abs(local(sunEventUtcMinutes(2024, 1, 1, -33.8688, 151.2093, 'sunset'), 11) - (20 * 60 + 9)) <= 2);
    // Tromsø at midsummer: midnight sun, no sunrise.
    assert.equal(sunEventUtcMinutes(2024, 6, 21, 69.65, 18.96, 'sunrise'), undefined);
  });

  it('a one-time rule fires on its date only, once, and is then disarmed', () => {
    const r = rig('HS100', MONDAY);
    // Wednesday 2024-01-17 10:00; wday would say every day, the date wins.
    const id = r.ask({ schedule: { add_rule: rule({ repeat: 0, year: 2024, month: 1, day: 17, smin: 600 }) } }).schedule.add_rule.id;
    const next = r.ask({ schedule: { get_next_action: null } }).schedule.get_next_action;
    assert.deepEqual(next, { type: 1, schd_sec: 36_000, action: 1, id, err_code: 0 });
    assert.deepEqual(watch(r, MONDAY, MONDAY + 3 * DAY).map(([t, on]) => [iso(t), on]), [['2024-01-17T10:00', true]]);
    r.ask({ system: { set_relay_state: { state: 0 } } });
    const listed = r.ask({ schedule: { get_rules: null } }).schedule.get_rules.rule_list as Array<Record<string, unknown>>;
    assert.equal(listed[0].enable, 0);
    assert.equal(r.ask({ schedule: { get_next_action: null } }).schedule.get_next_action.type, -1);
    // A jump over the following weeks fires nothing more.
    r.at(MONDAY + 30 * DAY);
    assert.equal(r.relay(), false);
  });

  it('an undated one-time rule (as tplink-smarthome-api sends one) fires once, even across a long clock jump', () => {
    const r = rig('HS100', MONDAY);
    r.ask({ schedule: { add_rule: rule({ repeat: false, wday: [false, true, false, false, false, false, false], smin: 13 * 60 }) } });
    r.at(MONDAY + 20 * DAY);
    const info = r.ask({ system: { get_sysinfo: null } }).system.get_sysinfo;
    assert.equal(info.relay_state, 1);
    assert.equal(info.on_time, 20 * 86_400 - 13 * 3600, 'on since its first Monday 13:00');
  });

  it('disabled rules and set_overall_enable {enable: 0} do not fire; re-enabling does', () => {
    const r = rig('HS100', MONDAY);
    r.ask({ schedule: { add_rule: rule({ smin: 600, enable: 0 }) } });
    assert.equal(r.ask({ schedule: { get_next_action: null } }).schedule.get_next_action.type, -1);
    r.at(MONDAY + 11 * HOUR);
    assert.equal(r.relay(), false, 'enable 0');
    const id = r.ask({ schedule: { add_rule: rule({ smin: 12 * 60 }) } }).schedule.add_rule.id;
    r.ask({ schedule: { set_overall_enable: { enable: 0 } } });
    assert.equal(r.ask({ schedule: { get_rules: null } }).schedule.get_rules.enable, 0);
    assert.equal(r.ask({ schedule: { get_next_action: null } }).schedule.get_next_action.type, -1);
    assert.equal(r.ask({ system: { get_sysinfo: null } }).system.get_sysinfo.active_mode, 'none');
    r.at(MONDAY + DAY);
    assert.equal(r.relay(), false, 'module disabled');
    r.ask({ schedule: { set_overall_enable: { enable: 1 } } });
    assert.equal(r.ask({ schedule: { get_next_action: null } }).schedule.get_next_action.id, id);
    r.at(MONDAY + DAY + 12 * HOUR);
    assert.equal(r.relay(), true);
  });

  it('HS300: a child rule switches only that outlet; the child\'s next_action shows it', () => {
    const r = rig('HS300', MONDAY);
    const child = `${r.device.deviceId}03`;
    const before = r.device.children.map((c) => c.isOn);
    const id = r.ask({ context: { child_ids: [child] }, schedule: { add_rule: rule({ smin: 9 * 60, sact: before[3] ? 0 : 1 }) } }).schedule.add_rule.id;
    const kids = (): Array<Record<string, unknown>> => r.ask({ system: { get_sysinfo: null } }).system.get_sysinfo.children as Array<Record<string, unknown>>;
    assert.equal((kids()[3].next_action as Record<string, unknown>).id, id);
    assert.deepEqual(kids().filter((_, i) => i !== 3).map((k) => (k.next_action as Record<string, unknown>).type), [-1, -1, -1, -1, -1]);
    assert.equal(r.ask({ context: { child_ids: [child] }, schedule: { get_next_action: null } }).schedule.get_next_action.id, id);
    r.at(MONDAY + 9 * HOUR);
    const after = r.device.children.map((c) => c.isOn);
    assert.deepEqual(after, before.map((on, i) => (i === 3 ? !on : on)));
  });

  it('anti_theft toggles the relay at random within its window only, the same way for the same seed', () => {
    const run = (): Array<[number, boolean]> => {
      const r = rig('HS110', MONDAY);
      // Monday and Wednesday 18:00-22:00.
      r.ask({ anti_theft: { add_rule: { stime_opt: 0, wday: [0, 1, 0, 1, 0, 0, 0], smin: 18 * 60, enable: 1, frequency: 5, repeat: 1, etime_opt: 0, duration: 2, name: 'away', lastfor: 1, month: 0, year: 0, longitude: 0, day: 0, latitude: 0, force: 0, emin: 22 * 60 }, set_overall_enable: 1 } });
      return watch(r, MONDAY, MONDAY + 3 * DAY);
    };
    const changes = run();
    const windows = [0, 2].map((d) => [MONDAY + d * DAY + 18 * HOUR, MONDAY + d * DAY + 22 * HOUR]);
    for (const [t] of changes) assert.ok(windows.some(([a, b]) => t >= a && t <= b), `change at ${iso(t)}`);
    for (const [a, b] of windows) {
      const inside = changes.filter(([t]) => t >= a && t <= b);
      assert.ok(inside.length >= 4, `${inside.length} changes in ${iso(a)}`);
      assert.deepEqual(inside[0], [a, true]);
      assert.deepEqual(inside[inside.length - 1], [b, false]);
    }
    assert.notDeepEqual(changes.filter(([t]) => t < MONDAY + DAY).map(([t]) => t % DAY), changes.filter(([t]) => t > MONDAY + DAY).map(([t]) => t % DAY), 'a different pattern each day');
    assert.deepEqual(run(), changes, 'reproducible');
  });

  it('get_next_action names the action that then happens, next after next', () => {
    const r = rig('HS100', MONDAY, { utcOffsetMinutes: 120 });
    r.ask({ system: { set_dev_location: { latitude: 50.9413, longitude: 6.9583 } } });
    r.ask({ schedule: { add_rule: rule({ wday: [0, 1, 0, 1, 0, 0, 0], smin: 7 * 60 + 15, etime_opt: 0, emin: 8 * 60, eact: 0 }) } });
    r.ask({ schedule: { add_rule: rule({ wday: [0, 0, 1, 0, 0, 1, 0], stime_opt: 2, etime_opt: 0, emin: 23 * 60 + 30, eact: 0 }) } });
    r.ask({ schedule: { add_rule: rule({ repeat: 0, year: 2024, month: 1, day: 19, smin: 3 * 60, sact: 0 }) } });
    let now = MONDAY;
    for (let i = 0; i < 8; i++) {
      const next = r.ask({ schedule: { get_next_action: null } }).schedule.get_next_action;
      assert.equal(next.type, 1);
      // Put the relay the other way, so that the action shows.
      r.ask({ system: { set_relay_state: { state: next.action === 1 ? 0 : 1 } } });
      const [first] = watch(r, now + MIN, now + 8 * DAY, true);
      assert.ok(first, `nothing happened after ${iso(now)}`);
      const [t, on] = first;
      const localSec = ((t + 2 * HOUR) % DAY) / 1000;
      assert.equal(localSec, next.schd_sec, `step ${i}: at ${iso(t)} UTC`);
      assert.equal(on, next.action === 1);
      now = t;
    }
  });

  it('a running device acts between requests, driven by its own timer, and the timer stops on close', async () => {
    const clock = fakeClock(MONDAY + 8 * HOUR + 59 * MIN);
    const running = await startDevice({ model: 'HS100', seed: 'sched-timer', clock: clock.now, on: false });
    try {
      running.handle({ schedule: { add_rule: rule({ smin: 9 * 60 }) } });
      clock.set(MONDAY + 9 * HOUR);
      await waitFor('the rule switching the plug on at its next tick', () => running.device.main.isOn, 3000);
    } finally {
      await running.close();
    }
    running.device.main.setRelay(false, clock.now(), 0);
    clock.set(MONDAY + DAY + 9 * HOUR);
    await provesNothingHappensFor(1100, 'a tick after close (a running device ticks every second)');
    assert.equal(running.device.main.isOn, false, 'no tick after close');
  });
});
