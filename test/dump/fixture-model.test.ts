/**
 * Dumps that say less than ours: a file written by an older dumper or
 * converted from another tool's records may hold little more than the
 * sysinfo. The fixture then serves what the device's kind always has, the
 * way firmware does, and keeps refusing what the file shows it refusing.
 */
import { strict as assert } from 'assert';
import { dumpSimulated, FIXTURE_HISTORY_DAYS, FIXTURE_SEED, FIXTURE_TIME } from '../../scripts/device-fixtures';
import { connect, DeviceError, type Device } from '../../lib';
import { dumpDevice, scrubDump, type ClassicDump, type SmartDump } from '../../lib/dump';
import { UNKNOWN_SMART_METHOD_PROBE } from '../../lib/dump/smart-queries';
import { startFixture, type RunningFixture } from '../../lib/simulator/fixture/serve';
import { SmartFixtureDevice } from '../../lib/simulator/fixture/smart-device';
import { SmartClient } from '../../lib/smart/client';
import { SmartDeviceError } from '../../lib/smart/errors';
import { startSmartDevice } from '../../lib/simulator/smart/server';
import type { EnergyStat } from '../../lib/device/types';

async function classicDumpOf(model: string): Promise<ClassicDump> {
  return scrubDump(await dumpSimulated({ file: '', family: 'classic', model })) as ClassicDump;
}

describe('serving dumps that hold less than a full dump', function () {
  it('a bulb dump with only its sysinfo switches, dims, renames and keeps rules through the modules every bulb has', async function () {
    const full = await classicDumpOf('KL130');
    const fixture = await startFixture({ fixture: { ...full, exchanges: full.exchanges.slice(0, 1) } });
    const device = await connect({ host: fixture.host, port: fixture.port });
    try {
      assert.equal(device.kind, 'bulb');
      await device.setPower(false);
      assert.equal((await device.refresh()).on, false);
      await device.light?.set({ brightness: 25, colorTemp: 4000 });
      assert.deepEqual([(await device.refresh()).light?.brightness, device.state.light?.colorTemp], [25, 4000]);
      await device.alias?.set('Hall');
      assert.equal((await device.refresh()).alias, 'Hall');
      await device.schedule?.add({ sact: 1, smin: 420, stime_opt: 0, wday: [1, 1, 1, 1, 1, 1, 1], repeat: 1, enable: 1 });
      assert.equal((await device.schedule?.list())?.rule_list.length, 1);
      // Unknown to any bulb: refused with the bulbs' own code.
      const reply = await device.request({ 'smartlife.iot.nothing': { get_info: {} } });
      assert.deepEqual(reply, { 'smartlife.iot.nothing': { err_code: -2001, err_msg: 'Module not support' } });
    } finally {
      await device.close();
      await fixture.close();
    }
  });

  it('keeps refusing a module the file shows the device refusing whole', async function () {
    const full = await classicDumpOf('HS110');
    const refused = { request: { emeter: { get_realtime: {} } }, reply: { emeter: { err_code: -1, err_msg: 'module not support' } } };
    const exchanges = full.exchanges.filter((e) => !('emeter' in e.request)).concat(refused);
    const fixture = await startFixture({ fixture: { ...full, exchanges } });
    const device = await connect({ host: fixture.host, port: fixture.port });
    try {
      await assert.rejects(device.energy?.read() ?? Promise.reject(new Error('no energy feature')), (error: unknown) => error instanceof DeviceError && error.errCode === -1);
      const reply = await device.request({ emeter: { get_daystat: { year: 2026, month: 1 } } });
      assert.deepEqual(reply, { emeter: { err_code: -1, err_msg: 'module not support' } });
    } finally {
      await device.close();
      await fixture.close();
    }
  });

  it('serves a Tapo wall dimmer (SMART.TAPOSWITCH with brightness) and refuses a hub by name', async function () {
    const p110 = scrubDump(await dumpSimulated({ file: '', family: 'smart', model: 'P110' })) as SmartDump;
    const asType = (type: string, extra: Array<{ id: string; ver_code: number }>): SmartDump => ({
      ...p110,
      kind: 'dimmer',
      exchanges: p110.exchanges.map((e) => {
        const result = e.reply.result as Record<string, unknown> | undefined;
        if (e.request.method === 'get_device_info') return { ...e, reply: { ...e.reply, result: { ...result, type, brightness: 80 } } };
        if (e.request.method === 'component_nego') return { ...e, reply: { ...e.reply, result: { component_list: [...(result?.component_list as object[]), ...extra] } } };
        return e;
      }),
    });
    const fixture = await startFixture({ fixture: asType('SMART.TAPOSWITCH', [{ id: 'brightness', ver_code: 1 }]), clock: () => FIXTURE_TIME });
    const client = new SmartClient({ host: fixture.host, port: fixture.port });
    try {
      assert.equal((await client.getDeviceInfo()).brightness, 80);
      await client.setDeviceInfo({ brightness: 30 });
      assert.equal((await client.getDeviceInfo()).brightness, 30);
    } finally {
      await client.close();
      await fixture.close();
    }
    assert.throws(() => new SmartFixtureDevice(asType('SMART.TAPOHUB', [])), /a SMART\.TAPOHUB device is not one the simulator can be/);
  });

  describe('SMART strips and plugs served as real firmware recorded them', function () {
    async function p300(): Promise<SmartDump> {
      return scrubDump(await dumpSimulated({ file: '', family: 'smart', model: 'P300' })) as SmartDump;
    }
    /** The dump with its recorded child list (and the child components) rewritten by `edit`. */
    function edited(dump: SmartDump, edit: (list: Array<Record<string, unknown>>, components: Array<{ device_id: string; component_list: object[] }>) => void): SmartDump {
      const copy = JSON.parse(JSON.stringify(dump)) as SmartDump;
      const result = (method: string): Record<string, unknown> => copy.exchanges.find((e) => e.request.method === method && e.child === undefined)?.reply.result as Record<string, unknown>;
      edit(result('get_child_device_list').child_device_list as Array<Record<string, unknown>>,
        result('get_child_device_component_list').child_component_list as Array<{ device_id: string; component_list: object[] }>);
      return copy;
    }
    async function readThrough<T>(dump: SmartDump, use: (device: Device) => Promise<T>): Promise<T> {
      const fixture = await startFixture({ fixture: dump, clock: () => FIXTURE_TIME });
      const device = await connect({ host: fixture.host, port: fixture.port, transport: 'klap', timeout: 3000 });
      try {
        return await use(device);
      } finally {
        await device.close();
        await fixture.close();
      }
    }

    it('the device layer\'s child list (asked without start_index) is the recorded one, not the simulator\'s', async function () {
      // Real strips list outlets out of position order (P306 fw 1.1.2 sends positions 4, 3, 2, 1, 5).
      const dump = edited(await p300(), (list) => list.forEach((child, i) => { child.position = list.length - i; }));
      const ids = (dump.exchanges.find((e) => e.request.method === 'get_child_device_list')?.reply.result as { child_device_list: Array<{ device_id: string }> })
        .child_device_list.map((c) => c.device_id);
      const outlets = await readThrough(dump, async (device) => device.state.outlets.map((o) => o.id));
      assert.deepEqual(outlets, [...ids].reverse());
    });

    it('a strip child that dims (P306\'s USB light, SMART.TAPOBULB) takes a brightness', async function () {
      let light = '';
      const dump = edited(await p300(), (list, components) => {
        Object.assign(list[2], { type: 'SMART.TAPOBULB', category: 'plug.powerstrip.sub-bulb', brightness: 60 });
        components[2].component_list.push({ id: 'brightness', ver_code: 1 });
        light = components[2].device_id;
      });
      // The child's own component_nego says so too, as the dumper records it.
      const own = dump.exchanges.find((e) => e.child === light && e.request.method === 'component_nego');
      (own?.reply.result as { component_list: object[] }).component_list.push({ id: 'brightness', ver_code: 1 });
      const [before, after] = await readThrough(dump, async (device) => {
        const read = device.state.brightness;
        await device.light?.set({ brightness: 25 });
        return [read, (await device.refresh()).brightness];
      });
      assert.deepEqual([before, after], [60, 25]);
    });

    it('a plug that lists brightness (P135) dims through the device layer\'s dimmer', async function () {
      const p110 = scrubDump(await dumpSimulated({ file: '', family: 'smart', model: 'P110' })) as SmartDump;
      const dump: SmartDump = {
        ...p110,
        model: 'P135',
        exchanges: p110.exchanges.map((e) => {
          const result = e.reply.result as Record<string, unknown> | undefined;
          if (e.request.method === 'get_device_info') return { ...e, reply: { ...e.reply, result: { ...result, model: 'P135', brightness: 70 } } };
          if (e.request.method === 'component_nego') return { ...e, reply: { ...e.reply, result: { component_list: [...(result?.component_list as object[]), { id: 'brightness', ver_code: 1 }] } } };
          return e;
        }),
      };
      const fixture = await startFixture({ fixture: dump, clock: () => FIXTURE_TIME });
      const device = await connect({ host: fixture.host, port: fixture.port, transport: 'klap', timeout: 3000 });
      try {
        assert.deepEqual([device.kind, device.state.brightness], ['plug', 70]);
        await device.setBrightness(35);
        assert.equal((await device.refresh()).brightness, 35);
        // A transition is taken (and ignored, as on a SMART dimmer), not refused as on a plug that does not dim.
        await device.setPower(false, { transition: 500 });
        assert.equal((await device.refresh()).on, false);
      } finally {
        await device.close();
        await fixture.close();
      }
    });
  });

  describe('SMART energy statistics (get_energy_data) served from the dump', function () {
    const clock = (): number => FIXTURE_TIME;
    const january = { year: 2026, month: 1 };

    async function smartDumpOf(model: string): Promise<SmartDump> {
      return scrubDump(await dumpSimulated({ file: '', family: 'smart', model })) as SmartDump;
    }

    /** This month's days and this year's months, for the device or each outlet of a strip. */
    async function statsOf(host: string, port: number): Promise<EnergyStat[][]> {
      const device = await connect({ host, port, transport: 'klap', timeout: 3000 });
      try {
        const outlets = device.state.outlets.length > 0 ? device.state.outlets.map((o) => o.index) : [undefined];
        const lists: EnergyStat[][] = [];
        for (const outlet of outlets) {
          lists.push(await device.energy?.dayStats(january.year, january.month, { outlet }) ?? []);
          lists.push(await device.energy?.monthStats(january.year, { outlet }) ?? []);
        }
        return lists;
      } finally {
        await device.close();
      }
    }

    for (const model of ['P110', 'P304M']) {
      it(`a ${model} dump answers dayStats and monthStats as the simulated ${model} did`, async function () {
        const original = await startSmartDevice({ model, seed: FIXTURE_SEED, clock, historyDays: FIXTURE_HISTORY_DAYS, host: '127.0.0.1', port: 0 });
        let expected: EnergyStat[][];
        try {
          expected = await statsOf(original.host, original.port);
        } finally {
          await original.close();
        }
        // Days used and nothing after the device's today (15 January).
        assert.ok(expected.some((list) => list.length === 15 && list.some((day) => day.energy_wh > 0)), JSON.stringify(expected));
        const fixture = await startFixture({ fixture: await smartDumpOf(model), clock });
        try {
          assert.deepEqual(await statsOf(fixture.host, fixture.port), expected);
        } finally {
          await fixture.close();
        }
      });
    }

    it('a month the dump did not ask is the simulated meter\'s, where the device showed it keeps statistics', async function () {
      const fixture = await startFixture({ fixture: await smartDumpOf('P110'), clock });
      const device = await connect({ host: fixture.host, port: fixture.port, transport: 'klap', timeout: 3000 });
      try {
        const december = await device.energy?.dayStats(2025, 12);
        assert.ok(december !== undefined && december.length === 31 && december.every((d) => d.year === 2025 && d.month === 12), JSON.stringify(december));
      } finally {
        await device.close();
        await fixture.close();
      }
    });

    /** What a fixture's P110 meter says of `day` (a day of January 2026): the reading, that day's statistic, the month's days and the month. */
    async function januaryOf(fixture: RunningFixture, day: number): Promise<{ today?: number; month?: number; day?: number; days: number; january?: number }> {
      const device = await connect({ host: fixture.host, port: fixture.port, transport: 'klap', timeout: 3000 });
      try {
        const reading = await device.energy?.read();
        const days = await device.energy?.dayStats(2026, 1) ?? [];
        const months = await device.energy?.monthStats(2026) ?? [];
        return {
          today: whole(reading?.today_wh), month: whole(reading?.month_wh), day: days.find((d) => d.day === day)?.energy_wh,
          days: days.reduce((sum, d) => sum + d.energy_wh, 0), january: months.find((m) => m.month === 1)?.energy_wh,
        };
      } finally {
        await device.close();
      }
    }

    function whole(value: unknown): number | undefined {
      return typeof value === 'number' ? value : undefined;
    }

    function recordedUsage(dump: SmartDump): { today_energy: number; month_energy: number } {
      return dump.exchanges.find((e) => e.request.method === 'get_energy_usage')?.reply.result as { today_energy: number; month_energy: number };
    }

    it('time passing on the dump\'s day: today and this month go on from the recorded ones and agree with the day and month statistics', async function () {
      const simulated = await smartDumpOf('P110');
      // The simulator's dump was on 0 minutes; a real one has been on for hours.
      const dump: SmartDump = {
        ...simulated,
        exchanges: simulated.exchanges.map((e) => (e.request.method === 'get_energy_usage'
          ? { ...e, reply: { ...e.reply, result: { ...e.reply.result as object, today_runtime: 300, month_runtime: 4000 } } } : e)),
      };
      const recorded = recordedUsage(dump);
      let now = FIXTURE_TIME;
      const fixture = await startFixture({ fixture: dump, clock: () => now });
      try {
        now += 10 * 60_000;
        const seen = await januaryOf(fixture, 15);
        assert.ok(seen.today !== undefined && seen.today > recorded.today_energy, `today ${seen.today} Wh, recorded ${recorded.today_energy}`);
        assert.ok(seen.month !== undefined && seen.month > recorded.month_energy, `month ${seen.month} Wh, recorded ${recorded.month_energy}`);
        assert.deepEqual([seen.day, seen.days, seen.january], [seen.today, seen.month, seen.month], JSON.stringify(seen));
        const usage = JSON.parse((fixture.device as SmartFixtureDevice).handleJson('{"method":"get_energy_usage"}')) as { result: Record<string, number> };
        assert.deepEqual([usage.result.today_runtime, usage.result.month_runtime], [310, 4010]);
      } finally {
        await fixture.close();
      }
    });

    it('served on a later day: today is that day\'s, not the recorded one, and the month holds the recorded days', async function () {
      const dump = await smartDumpOf('P110');
      const recorded = recordedUsage(dump);
      let now = FIXTURE_TIME + 86_400_000;
      const fixture = await startFixture({ fixture: dump, clock: () => now });
      try {
        // A clock that moves (a frozen one keeps the recorded get_device_time, and the device's today with it).
        now += 1000;
        const seen = await januaryOf(fixture, 16);
        assert.deepEqual([seen.today, seen.day, seen.month, seen.days, seen.january], [0, 0, recorded.month_energy, recorded.month_energy, recorded.month_energy]);
      } finally {
        await fixture.close();
      }
    });

    it('a month the dump holds only as a monthly total has days that add up to it', async function () {
      const may = (): number => Date.UTC(2026, 4, 20, 9, 30);
      const original = await startSmartDevice({ model: 'P110', seed: FIXTURE_SEED, clock: may, historyDays: 150, host: '127.0.0.1', port: 0 });
      let dump: SmartDump;
      try {
        dump = scrubDump(await dumpDevice({ host: original.host, port: original.port, transport: 'klap', clock: may })) as SmartDump;
      } finally {
        await original.close();
      }
      const fixture = await startFixture({ fixture: dump, clock: may });
      const device = await connect({ host: fixture.host, port: fixture.port, transport: 'klap', timeout: 3000 });
      try {
        const months = await device.energy?.monthStats(2026) ?? [];
        for (const month of [1, 2, 3]) {
          const total = months.find((m) => m.month === month)?.energy_wh ?? 0;
          const days = await device.energy?.dayStats(2026, month) ?? [];
          assert.ok(total > 0, `${month}: ${JSON.stringify(months)}`);
          assert.equal(days.reduce((sum, d) => sum + d.energy_wh, 0), total, `month ${month}`);
        }
      } finally {
        await device.close();
        await fixture.close();
      }
    });

    /** get_energy_data for January's quarter, as dayStats asks it, through the SMART client. */
    async function energyDataRefusal(dump: SmartDump, params: Record<string, number>): Promise<number | undefined> {
      const fixture = await startFixture({ fixture: dump, clock });
      const client = new SmartClient({ host: fixture.host, port: fixture.port, transport: dump.transport === 'aes' ? 'aes' : 'klap', timeout: 3000 });
      try {
        await client.call('get_energy_data', params);
        return undefined;
      } catch (error) {
        return error instanceof SmartDeviceError ? error.errCode : Number.NaN;
      } finally {
        await client.close();
        await fixture.close();
      }
    }

    const recordedParams = (dump: SmartDump): Record<string, number> =>
      dump.exchanges.find((e) => e.request.method === 'get_energy_data')?.request.params as Record<string, number>;

    it('a device that refused get_energy_data keeps refusing it with its code, for the asked params and any other', async function () {
      const ep25 = await smartDumpOf('EP25');
      // A code unlike the simulator's -1002, so that only the recording can have given it.
      const refusing: SmartDump = {
        ...ep25,
        exchanges: ep25.exchanges.map((e) => (e.request.method === 'get_energy_data' ? { ...e, reply: { error_code: -1001 } } : e)),
      };
      const asked = recordedParams(refusing);
      assert.equal(await energyDataRefusal(refusing, asked), -1001);
      assert.equal(await energyDataRefusal(refusing, { ...asked, start_timestamp: asked.start_timestamp - 86_400 * 365 }), -1001);
    });

    it('a SMART meter\'s dump without get_energy_data (an older dumper\'s) refuses it with the device\'s code for an unknown method', async function () {
      const p110 = await smartDumpOf('P110');
      const asked = recordedParams(p110);
      const older: SmartDump = {
        ...p110,
        exchanges: p110.exchanges
          .filter((e) => e.request.method !== 'get_energy_data')
          .map((e) => (e.request.method === UNKNOWN_SMART_METHOD_PROBE ? { ...e, reply: { error_code: -40210 } } : e)),
      };
      assert.equal(await energyDataRefusal(older, asked), -40210);
    });
  });
});
