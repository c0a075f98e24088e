/**
 * Daily and monthly energy totals of SMART meters through the device
 * layer: get_energy_data (daily for the quarter, monthly for the year) read
 * into the classic statistics shape, for a P110 and one P304M outlet,
 * against what the simulated meter recorded; a meter without the method
 * (KP125M) and erasing (no SMART method at all) refused with what is
 * missing named. The simulated clock is fixed, so totals compare exactly.
 */
import { strict as assert } from 'assert';
import { connect, DeviceInputError, type Device, type EnergyStat } from '../../lib/device';
import { startSmartDevice, type RunningSmartDevice } from '../../lib/simulator/smart/server';
import type { SmartOutlet } from '../../lib/simulator/smart/outlet';
import type { TrafficEvent } from '../../lib/traffic';
import { ProtocolError } from '../../lib/errors';
import { readEnergyData } from '../../lib/smart/energy-data';

const ACCOUNT = { username: 'owner@example.com', password: 'Tapo secret 7' };
/** 10 May 2026, 12:00 UTC: mid-quarter (April to June), with four months of the year behind it. */
const NOW = Date.UTC(2026, 4, 10, 12);

describe('device layer: SMART energy statistics (get_energy_data)', function () {
  const opened: Array<{ sim: RunningSmartDevice; device?: Device }> = [];
  afterEach(async function () {
    for (const { sim, device } of opened.splice(0)) {
      await device?.close();
      await sim.close();
    }
  });

  async function open(model: string): Promise<{ sim: RunningSmartDevice; device: Device; traffic: TrafficEvent[] }> {
    const sim = await startSmartDevice({ model, seed: `stats-${model}`, clock: () => NOW, historyDays: 200, ...ACCOUNT });
    const entry: { sim: RunningSmartDevice; device?: Device } = { sim };
    opened.push(entry);
    const traffic: TrafficEvent[] = [];
    entry.device = await connect({ host: sim.host, port: sim.port, transport: 'auto', ...ACCOUNT, timeout: 3000, onTraffic: (e) => traffic.push(e) });
    return { sim, device: entry.device, traffic };
  }

  /** What the simulated meter recorded, as the classic statistics would list it (days with a record). */
  function recordedDays(outlet: SmartOutlet, offsetMs: number, year: number, month: number): Map<number, number> {
    const list = (outlet.meter?.dayStats(NOW, offsetMs, year, month).day_list ?? []) as Array<{ day: number; energy_wh: number }>;
    return new Map(list.map((d) => [d.day, d.energy_wh]));
  }

  function assertClassicShape(entries: EnergyStat[], withDay: boolean): void {
    for (const entry of entries) {
      assert.deepEqual(Object.keys(entry).sort(), (withDay ? ['day', 'energy', 'energy_wh', 'month', 'year'] : ['energy', 'energy_wh', 'month', 'year']));
      assert.equal(entry.energy, Math.round(entry.energy_wh) / 1000, 'kWh and Wh agree');
    }
  }

  function assertDaysMatch(days: EnergyStat[], recorded: Map<number, number>, year: number, month: number, lastDay: number): void {
    assertClassicShape(days, true);
    assert.deepEqual(days.map((d) => d.day), Array.from({ length: lastDay }, (_, i) => i + 1), 'every day up to the last, none to come');
    for (const d of days) {
      assert.equal(d.year, year);
      assert.equal(d.month, month);
      assert.equal(d.energy_wh, recorded.get(d.day ?? 0) ?? 0, `day ${d.day}`);
    }
    assert.ok(days.some((d) => d.energy_wh > 0), 'the history has energy in it');
  }

  it('P110: the days of this month up to today, and of a month in an earlier quarter, as the meter recorded them', async function () {
    const { sim, device } = await open('P110');
    const offset = sim.device.offsetMs;
    assertDaysMatch(await device.energy?.dayStats(2026, 5) ?? [], recordedDays(sim.device.main, offset, 2026, 5), 2026, 5, 10);
    assertDaysMatch(await device.energy?.dayStats(2026, 2) ?? [], recordedDays(sim.device.main, offset, 2026, 2), 2026, 2, 28);
    assert.deepEqual(await device.energy?.dayStats(2026, 8), [], 'a month still to come has no days yet');
  });

  it('P110: the months of this year up to this one, each the sum of its days', async function () {
    const { sim, device } = await open('P110');
    const months = await device.energy?.monthStats(2026) ?? [];
    assertClassicShape(months, false);
    assert.deepEqual(months.map((m) => [m.year, m.month]), [1, 2, 3, 4, 5].map((m) => [2026, m]));
    for (const m of months) {
      const days = [...recordedDays(sim.device.main, sim.device.offsetMs, 2026, m.month).values()];
      assert.equal(m.energy_wh, days.reduce((a, b) => a + b, 0), `month ${m.month}`);
    }
    const today = (await device.energy?.read())?.today_wh;
    const todayInList = (await device.energy?.dayStats(2026, 5) ?? []).find((d) => d.day === 10)?.energy_wh;
    assert.equal(todayInList, today, 'the list agrees with get_energy_usage today');
  });

  it('P304M: one outlet through control_child, and the whole strip as the sum of its outlets', async function () {
    const { sim, device } = await open('P304M');
    const offset = sim.device.offsetMs;
    const second = await device.energy?.dayStats(2026, 5, { outlet: 1 }) ?? [];
    assertDaysMatch(second, recordedDays(sim.device.children[1], offset, 2026, 5), 2026, 5, 10);
    const outletMonths = await device.energy?.monthStats(2026, { outlet: 1 }) ?? [];
    assertClassicShape(outletMonths, false);
    const wholeMonths = await device.energy?.monthStats(2026) ?? [];
    const perOutlet = await Promise.all([0, 1, 2, 3].map(async (i) => device.energy?.monthStats(2026, { outlet: i }) ?? []));
    assert.deepEqual(wholeMonths.map((m) => m.energy_wh), wholeMonths.map((m) => perOutlet.reduce((n, list) => n + (list.find((e) => e.month === m.month)?.energy_wh ?? 0), 0)));
  });

  it('a meter without get_energy_data (KP125M) is refused naming the method; erasing is refused before sending', async function () {
    const { device } = await open('KP125M');
    await assert.rejects(device.energy?.dayStats(2026, 5) ?? Promise.resolve(),
      (e: unknown) => e instanceof DeviceInputError && e.reason === 'unsupported' && /get_energy_data/.test(e.message));
    const p110 = await open('P110');
    const before = p110.traffic.length;
    await assert.rejects(p110.device.energy?.erase() ?? Promise.resolve(),
      (e: unknown) => e instanceof DeviceInputError && e.reason === 'unsupported' && /erase the energy meter/.test(e.message));
    assert.equal(p110.traffic.length, before, 'nothing sent');
  });

  it('the simulated P110 answers get_energy_data as firmware does: a quarter of days, twelve months, hourly refused (-1008: it keeps days only)', async function () {
    const { device } = await open('P110');
    const april = (Date.UTC(2026, 3, 1) - 60 * 60_000) / 1000;
    const ask = (start: number, interval: number): Promise<Record<string, unknown>> =>
      device.request({ method: 'get_energy_data', params: { start_timestamp: start, end_timestamp: start, interval } });
    const daily = await ask(april, 1440);
    assert.equal(daily.error_code, 0);
    const result = readEnergyData(daily.result);
    assert.equal(result.data.length, 30 + 31 + 30, 'April to June');
    assert.equal(result.start_timestamp, april, 'passed through');
    assert.ok(result.data.slice(40).every((wh) => wh === 0), 'days after 10 May read 0');
    assert.equal(readEnergyData((await ask(april, 43200)).result).data.length, 12);
    assert.equal((await ask(april, 60)).error_code, -1008);
  });

  it('reads a get_energy_data reply as untrusted input: a wrong shape is a ProtocolError naming the method', () => {
    for (const bad of [null, {}, { data: 'x', start_timestamp: 0, interval: 1440 }, { data: [-1], start_timestamp: 0, interval: 1440 },
      { data: new Array(401).fill(0), start_timestamp: 0, interval: 1440 }, { data: [1], start_timestamp: 1.5, interval: 1440 }]) {
      assert.throws(() => readEnergyData(bad), (e: unknown) => e instanceof ProtocolError && /get_energy_data result/.test(e.message), JSON.stringify(bad)?.slice(0, 60));
    }
    assert.deepEqual(readEnergyData({ data: [1, 2], start_timestamp: 5, end_timestamp: 5, interval: 43200, local_time: 'x' }), { data: [1, 2], start_timestamp: 5, interval: 43200 });
  });

  it('a month out of range is refused before sending', async function () {
    const { device, traffic } = await open('P110');
    const before = traffic.length;
    await assert.rejects(device.energy?.dayStats(2026, 13) ?? Promise.resolve(), (e: unknown) => e instanceof DeviceInputError && e.reason === 'out-of-range');
    assert.equal(traffic.length, before);
  });
});
