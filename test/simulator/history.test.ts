import { strict as assert } from 'assert';
import { SimulatedDevice } from '../../lib/simulator/simulated-device';
import { fakeClock } from './wire';

type Reply = Record<string, Record<string, Record<string, unknown>>>;
type Entry = Record<string, number>;

// Tuesday 2024-03-12 15:00 UTC: the history spans February and March.
const START = Date.UTC(2024, 2, 12, 15, 0, 0);

function make(model: string, seed: string, extra: Record<string, unknown> = {}): (req: object) => Reply {
  const clock = fakeClock(START);
  const device = new SimulatedDevice({ model, seed, clock: clock.now, ...extra });
  return (req) => device.handle(req) as Reply;
}

function days(ask: (req: object) => Reply, month: number): Entry[] {
  return ask({ emeter: { get_daystat: { year: 2024, month } } }).emeter.get_daystat.day_list as Entry[];
}

function months(ask: (req: object) => Reply): Entry[] {
  return ask({ emeter: { get_monthstat: { year: 2024 } } }).emeter.get_monthstat.month_list as Entry[];
}

describe('simulator energy history', () => {
  it('seeded days vary from day to day, plausibly, and add up to the months and to total_wh', () => {
    const ask = make('KP115', 'history-a', { historyDays: 30 });
    const list = [...days(ask, 2), ...days(ask, 3)];
    assert.equal(list.length, 31, '30 full days and today so far');
    assert.deepEqual(list.slice(-1)[0], { year: 2024, month: 3, day: 12, energy_wh: list.slice(-1)[0].energy_wh });
    const full = list.slice(0, -1).map((d) => d.energy_wh);
    assert.ok(new Set(full).size >= 25, `distinct day totals: ${full.join(', ')}`);
    const low = Math.min(...full);
    const high = Math.max(...full);
    assert.ok(high / low > 1.4 && high / low < 4, `range ${low}..${high} Wh`);
    const total = ask({ emeter: { get_realtime: {} } }).emeter.get_realtime.total_wh as number;
    const sum = list.reduce((acc, d) => acc + d.energy_wh, 0);
    // The first request accounts a few ms of live use on top; within a watt-hour.
    assert.ok(Math.abs(total - sum) <= 1, `total ${total} vs days ${sum}`);
    for (const m of months(ask)) {
      assert.equal(m.energy_wh, days(ask, m.month).reduce((acc, d) => acc + d.energy_wh, 0), `month ${m.month}`);
    }
  });

  it('is reproducible for a seed and different for another', () => {
    const a = days(make('HS110v2', 'history-a', { historyDays: 10 }), 3);
    assert.deepEqual(days(make('HS110v2', 'history-a', { historyDays: 10 }), 3), a);
    assert.notDeepEqual(days(make('HS110v2', 'history-b', { historyDays: 10 }), 3), a);
  });

  it('spreads a given initial total over the history days exactly (hw1: kWh)', () => {
    const ask = make('HS110', 'history-c', { historyDays: 7, initialTotalWh: 12_345 });
    const list = days(ask, 3);
    assert.equal(list.length, 8);
    const sumKwh = list.reduce((acc, d) => acc + d.energy, 0);
    assert.ok(Math.abs(sumKwh - 12.345) < 1e-6, `${sumKwh} kWh`);
    assert.ok(Math.abs((ask({ emeter: { get_realtime: {} } }).emeter.get_realtime.total as number) - 12.345) <= 0.001);
    assert.ok(new Set(list.slice(0, -1).map((d) => d.energy)).size >= 5);
  });

  it('a strip seeds each outlet and the strip-wide stats add them up', () => {
    const ask = make('HS300', 'history-d', { historyDays: 3 });
    const child = (i: number): Entry[] => (ask({ context: { child_ids: [String(i)] }, emeter: { get_daystat: { year: 2024, month: 3 } } }).emeter.get_daystat.day_list as Entry[]);
    const whole = days(ask, 3);
    const byDay = (d: number): number => [0, 1, 2, 3, 4, 5].reduce((acc, i) => acc + (child(i).find((e) => e.day === d)?.energy_wh ?? 0), 0);
    for (const entry of whole) assert.equal(entry.energy_wh, byDay(entry.day));
    assert.notDeepEqual(child(0).map((e) => e.energy_wh), child(1).map((e) => e.energy_wh));
  });

  it('without historyDays nothing is made up', () => {
    const ask = make('KP115', 'history-e', { initialTotalWh: 500 });
    assert.deepEqual(days(ask, 3), []);
    assert.equal(ask({ emeter: { get_realtime: {} } }).emeter.get_realtime.total_wh, 500);
  });
});
