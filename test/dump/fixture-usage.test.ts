/**
 * get_device_usage served from a SMART dump: time on (minutes) and energy
 * (Wh) today and over the past 7 and 30 days go on from the recorded
 * answer, the windows rolling on with the days, energy agreeing with the
 * meter the dump's statistics set; a fixture served on another day than
 * the dump's does not show the recorded today as its own. The simulator
 * dumps at FIXTURE_TIME (15 January 2026) with no time on yet, so each test
 * writes the recorded usage a device that has been on for weeks would give.
 */
import { strict as assert } from 'assert';
import { dumpSimulated, FIXTURE_SEED, FIXTURE_TIME } from '../../scripts/device-fixtures';
import { connect } from '../../lib';
import { dumpDevice, scrubDump, type SmartDump } from '../../lib/dump';
import { startFixture, type RunningFixture } from '../../lib/simulator/fixture/serve';
import type { SmartFixtureDevice } from '../../lib/simulator/fixture/smart-device';
import { startSmartDevice } from '../../lib/simulator/smart/server';

const DAY_MS = 86_400_000;

interface Windows { today: number; past7: number; past30: number }

async function smartDumpOf(model: string): Promise<SmartDump> {
  return scrubDump(await dumpSimulated({ file: '', family: 'smart', model })) as SmartDump;
}

/** The dump with `method`'s recorded result (the device's own) changed by `change`. */
function withResult(dump: SmartDump, method: string, change: (result: Record<string, unknown>) => Record<string, unknown>): SmartDump {
  return {
    ...dump,
    exchanges: dump.exchanges.map((e) => (e.request.method === method && e.child === undefined
      ? { ...e, reply: { ...e.reply, result: change(e.reply.result as Record<string, unknown>) } } : e)),
  };
}

function ask(fixture: RunningFixture, method: string): Record<string, unknown> {
  const reply = JSON.parse((fixture.device as SmartFixtureDevice).handleJson(JSON.stringify({ method }))) as { error_code: number; result: Record<string, unknown> };
  assert.equal(reply.error_code, 0, method);
  return reply.result;
}

/** The Wh the P110 dump's daily statistics recorded for 1..15 January. */
function januaryDays(dump: SmartDump): number[] {
  const daily = dump.exchanges.find((e) => e.request.method === 'get_energy_data' && (e.request.params as { interval?: number }).interval === 1440);
  return ((daily?.reply.result as { data: number[] }).data).slice(0, 15);
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

describe('SMART fixtures: get_device_usage goes on from the dump\'s', function () {
  // Recorded on 15 January, on for weeks: 600 min today, 300 on each of the 6 days before, 400 on each of 1-8
  // January and 200 on each of 17-31 December (get_energy_usage's month says how much of past30 is January's).
  const time: Windows = { today: 600, past7: 600 + 6 * 300, past30: 600 + 6 * 300 + 8 * 400 + 15 * 200 };
  const monthRuntime = 600 + 6 * 300 + 8 * 400;

  /** A P110 dump whose usage says what a device on for weeks says; energy: the recorded January days and 100 Wh on each of 17-31 December. */
  async function p110(): Promise<{ dump: SmartDump; days: number[]; power: Windows }> {
    const simulated = await smartDumpOf('P110');
    const days = januaryDays(simulated);
    const power = { today: days[14], past7: sum(days.slice(8)), past30: sum(days) + 15 * 100 };
    const usage = withResult(simulated, 'get_device_usage', (r) => ({ ...r, time_usage: time, power_usage: power }));
    const dump = withResult(usage, 'get_energy_usage', (r) => ({ ...r, today_runtime: time.today, month_runtime: monthRuntime }));
    return { dump, days, power };
  }

  it('on the dump\'s day, time passing adds to today and both windows, energy as the meter counts it', async function () {
    const { dump, days, power } = await p110();
    let now = FIXTURE_TIME;
    const fixture = await startFixture({ fixture: dump, clock: () => now });
    try {
      assert.deepEqual(ask(fixture, 'get_device_usage').time_usage, time, 'served as recorded before time passes');
      now += 10 * 60_000;
      const usage = ask(fixture, 'get_device_usage');
      const energy = ask(fixture, 'get_energy_usage');
      assert.deepEqual(usage.time_usage, { today: 610, past7: time.past7 + 10, past30: time.past30 + 10 });
      assert.deepEqual([energy.today_runtime, energy.month_runtime], [610, monthRuntime + 10]);
      const today = energy.today_energy as number;
      assert.ok(today > power.today, `today ${today} Wh, recorded ${power.today}`);
      assert.deepEqual(usage.power_usage, { today, past7: power.past7 - power.today + today, past30: power.past30 - power.today + today });
      const device = await connect({ host: fixture.host, port: fixture.port, transport: 'klap', timeout: 3000 });
      try {
        // The meter's days are the windows' days: the recorded January and December as power_usage shared it out.
        const january = await device.energy?.dayStats(2026, 1) ?? [];
        assert.deepEqual(january.map((d) => d.energy_wh), [...days.slice(0, 14), today]);
        const december = await device.energy?.dayStats(2025, 12) ?? [];
        assert.deepEqual(december.filter((d) => d.energy_wh > 0).map((d) => [d.day, d.energy_wh]), Array.from({ length: 15 }, (_, i) => [17 + i, 100]));
      } finally {
        await device.close();
      }
    } finally {
      await fixture.close();
    }
  });

  it('served on the day after the dump\'s, today is that day\'s and the windows have moved on a day', async function () {
    const { dump, days } = await p110();
    let now = FIXTURE_TIME + DAY_MS;
    const fixture = await startFixture({ fixture: dump, clock: () => now });
    try {
      now += 1000;
      const usage = ask(fixture, 'get_device_usage');
      // 16 January: nothing yet today; 10-15 January in past7; 17 December gone from past30.
      assert.deepEqual(usage.time_usage, { today: 0, past7: 5 * 300 + 600, past30: time.past30 - 200 });
      assert.deepEqual(usage.power_usage, { today: 0, past7: sum(days.slice(9)), past30: sum(days) + 14 * 100 });
    } finally {
      await fixture.close();
    }
  });

  it('a plug without a meter (P100) answers time_usage only, going on from the recorded', async function () {
    const recorded: Windows = { today: 120, past7: 1000, past30: 5000 };
    const dump = withResult(await smartDumpOf('P100'), 'get_device_usage', (r) => ({ ...r, time_usage: recorded }));
    let now = FIXTURE_TIME;
    const fixture = await startFixture({ fixture: dump, clock: () => now });
    try {
      now += 10 * 60_000;
      assert.deepEqual(ask(fixture, 'get_device_usage'), { time_usage: { today: 130, past7: 1010, past30: 5010 } });
      now += DAY_MS;
      const { time_usage: nextDay } = ask(fixture, 'get_device_usage') as { time_usage: Windows };
      // New York time: 04:40 on 16 January, on since midnight, none of the recorded today's minutes; 15 January's in past7.
      assert.equal(nextDay.today, 4 * 60 + 40, JSON.stringify(nextDay));
      assert.ok(nextDay.past7 >= nextDay.today + recorded.today + (24 * 60 - 4 * 60 - 30), JSON.stringify(nextDay));
    } finally {
      await fixture.close();
    }
  });

  it('a dump early in a month shares its past7 between the month and the one before as the recorded month says', async function () {
    // 3 March 2026: past7 is 25 February to 3 March, past30 2 February on; the month's 1700 minutes are 1-3 March's.
    const march = Date.UTC(2026, 2, 3, 9, 30);
    const original = await startSmartDevice({ model: 'P110', seed: FIXTURE_SEED, clock: () => march, historyDays: 60, host: '127.0.0.1', port: 0 });
    let simulated: SmartDump;
    try {
      simulated = scrubDump(await dumpDevice({ host: original.host, port: original.port, transport: 'klap', clock: () => march })) as SmartDump;
    } finally {
      await original.close();
    }
    const recorded: Windows = { today: 100, past7: 100 + 6 * 500, past30: 100 + 6 * 500 + 23 * 200 };
    const usage = withResult(simulated, 'get_device_usage', (r) => ({ ...r, time_usage: recorded }));
    const dump = withResult(usage, 'get_energy_usage', (r) => ({ ...r, today_runtime: 100, month_runtime: 1700 }));
    // On 30 March past30 is March's days so far: the recorded month (the fixture was not running in between).
    const now = march + 27 * DAY_MS;
    const fixture = await startFixture({ fixture: dump, clock: () => now });
    try {
      assert.deepEqual(ask(fixture, 'get_device_usage').time_usage, { today: 0, past7: 0, past30: 1700 });
      assert.equal(ask(fixture, 'get_energy_usage').month_runtime, 1700);
    } finally {
      await fixture.close();
    }
  });
});
