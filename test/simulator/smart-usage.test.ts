/**
 * get_device_usage on a simulated SMART device answers as firmware does:
 * today, and windows of the last 7 and 30 local days ending with today
 * (python-kasa's fixtures: today <= past7 <= past30, and past30 passing the
 * month's figure), time on in minutes from the outlet's days and energy in
 * Wh from the meter's (the days get_energy_data reports); a model without
 * a meter reports time only. Days are lived on an injected clock, a
 * different time on each, across month ends.
 */
import { strict as assert } from 'assert';
import { SmartSimulatedDevice } from '../../lib/simulator/smart/device';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

interface Windows { today: number; past7: number; past30: number }

type Result = Record<string, unknown>;

function call(device: SmartSimulatedDevice, method: string, params?: object): Result {
  const reply = JSON.parse(device.handleJson(JSON.stringify(params === undefined ? { method } : { method, params }))) as { error_code: number; result?: Result };
  assert.equal(reply.error_code, 0, method);
  return reply.result ?? {};
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** What firmware reports over figures per day, oldest first, the last today's (days before the first count 0). */
function windowsOf(perDay: readonly number[]): Windows {
  return { today: perDay[perDay.length - 1] ?? 0, past7: sum(perDay.slice(-7)), past30: sum(perDay.slice(-30)) };
}

/** A device of `model` (off) whose clock starts at local midnight of 10 January 2026. */
function deviceAt(model: string, on = false): { device: SmartSimulatedDevice; clock: { now: number }; midnight: (day: number) => number } {
  const clock = { now: 0 };
  const device = new SmartSimulatedDevice({ model, seed: 'usage', on, clock: () => clock.now });
  const first = Date.UTC(2026, 0, 10) - device.offsetMs;
  clock.now = first;
  // Local midnight `day` days after 10 January.
  return { device, clock, midnight: (day) => first + day * DAY_MS };
}

/** Lives local day `day`: on from 08:00 for `minutes`, then off; the clock left at noon. */
function live(device: SmartSimulatedDevice, clock: { now: number }, midnight: number, minutes: number): void {
  clock.now = midnight + 8 * 60 * MINUTE_MS;
  call(device, 'set_device_info', { device_on: true });
  clock.now += minutes * MINUTE_MS;
  call(device, 'set_device_info', { device_on: false });
  clock.now = midnight + 12 * 60 * MINUTE_MS;
}

/** get_energy_data's Wh per day of 2026's first quarter, 1 January first. */
function quarterWh(device: SmartSimulatedDevice): number[] {
  const start = (Date.UTC(2026, 0, 1) - device.offsetMs) / 1000;
  const result = call(device, 'get_energy_data', { start_timestamp: start, end_timestamp: start + 90 * 86_400, interval: 1440 });
  return result.data as number[];
}

/** 10 January 2026 is day 0: index of a date of 2026's first quarter in quarterWh's list, less 9. */
const FIRST_DAY_INDEX = 9;
const MONTH_STARTS = [{ day: 0, month: 1 }, { day: 22, month: 2 }, { day: 50, month: 3 }];

describe('simulated SMART device: get_device_usage over the last 7 and 30 days', () => {
  it('a P110: time on and energy sum the last 7 and 30 local days, not the month, across two month ends', () => {
    const { device, clock, midnight } = deviceAt('P110');
    const minutes: number[] = [];
    // 10 January to 5 March: on 30 + 7 × day minutes each day, so every day and every window differs.
    for (let day = 0; day < 55; day++) {
      minutes.push(30 + 7 * day);
      live(device, clock, midnight(day), minutes[day]);
      const usage = call(device, 'get_device_usage');
      const energy = call(device, 'get_energy_usage');
      const monthStart = [...MONTH_STARTS].reverse().find((m) => m.day <= day)?.day ?? 0;
      const wh = quarterWh(device).slice(FIRST_DAY_INDEX, FIRST_DAY_INDEX + day + 1);
      assert.deepEqual(usage.time_usage, windowsOf(minutes), `day ${day}`);
      assert.deepEqual(usage.power_usage, windowsOf(wh), `day ${day}: the days get_energy_data reports`);
      assert.deepEqual(usage.saved_power, { today: 0, past7: 0, past30: 0 });
      assert.equal(energy.month_runtime, sum(minutes.slice(monthStart)), `day ${day}: the month's`);
      assert.equal(energy.month_energy, sum(wh.slice(monthStart)), `day ${day}: the month's`);
      assert.ok(wh.every((w) => w > 0), 'some energy every day');
    }
    const usage = call(device, 'get_device_usage');
    const time = usage.time_usage as Windows;
    const power = usage.power_usage as Windows;
    const energy = call(device, 'get_energy_usage') as { month_runtime: number; month_energy: number };
    // 5 March: past7 is 27 February to 5 March, past30 4 February on; the month is 1-5 March.
    assert.deepEqual(time, { today: 408, past7: 7 * 387, past30: 30 * 306.5 });
    assert.equal(energy.month_runtime, 5 * 394);
    assert.ok(time.today < energy.month_runtime && energy.month_runtime < time.past7 && time.past7 < time.past30, JSON.stringify(time));
    assert.ok(power.today < energy.month_energy && energy.month_energy < power.past7 && power.past7 < power.past30, JSON.stringify(power));
  });

  it('on for years under a clock moved on at once: full days in the windows, the month its days so far', () => {
    const { device, clock, midnight } = deviceAt('P110', true);
    // 15 May 2029 at noon (local): on since 10 January 2026.
    const day = Math.round((Date.UTC(2029, 4, 15) - Date.UTC(2026, 0, 10)) / DAY_MS);
    clock.now = midnight(day) + 12 * 60 * MINUTE_MS;
    const usage = call(device, 'get_device_usage');
    assert.deepEqual(usage.time_usage, { today: 720, past7: 6 * 1440 + 720, past30: 29 * 1440 + 720 });
    assert.equal(call(device, 'get_energy_usage').month_runtime, 14 * 1440 + 720);
    const power = usage.power_usage as Windows;
    assert.ok(power.today < power.past7 && power.past7 < power.past30, JSON.stringify(power));
    // A day later the oldest day has left past30 and a whole day more has come in.
    clock.now += DAY_MS;
    assert.deepEqual(call(device, 'get_device_usage').time_usage, { today: 720, past7: 6 * 1440 + 720, past30: 29 * 1440 + 720 });
  });

  it('a plug without a meter (P100) reports time_usage only, over the same windows', () => {
    const { device, clock, midnight } = deviceAt('P100');
    const minutes: number[] = [];
    // 10 January to 13 February.
    for (let day = 0; day < 35; day++) {
      minutes.push(100 + day);
      live(device, clock, midnight(day), minutes[day]);
    }
    const usage = call(device, 'get_device_usage');
    assert.deepEqual(usage, { time_usage: windowsOf(minutes) });
    assert.deepEqual(usage.time_usage, { today: 134, past7: 7 * 131, past30: 30 * 119.5 });
  });
});
