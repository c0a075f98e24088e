import { strict as assert } from 'assert';
import { SimulatedDevice } from '../../lib/simulator/simulated-device';
import { fakeClock } from './wire';

type Reply = Record<string, Record<string, Record<string, unknown>>>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function make(model: string, clock = fakeClock(), extra: Record<string, unknown> = {}): { device: SimulatedDevice; clock: ReturnType<typeof fakeClock>; ask: (req: object) => Reply } {
  const device = new SimulatedDevice({ model, seed: `state-${model}`, clock: clock.now, ...extra });
  return { device, clock, ask: (req) => device.handle(req) as Reply };
}

const sysinfo = (ask: (req: object) => Reply): Record<string, unknown> => ask({ system: { get_sysinfo: null } }).system.get_sysinfo;

describe('simulator state', () => {
  describe('relay, LED, alias, identity', () => {
    it('switches the relay and counts on_time from when it closed', () => {
      const { ask, clock } = make('HS100', fakeClock(), { on: false });
      assert.equal(sysinfo(ask).relay_state, 0);
      assert.equal(sysinfo(ask).on_time, 0);
      assert.deepEqual(ask({ system: { set_relay_state: { state: 1 } } }), { system: { set_relay_state: { err_code: 0 } } });
      clock.advance(90_500);
      assert.equal(sysinfo(ask).relay_state, 1);
      assert.equal(sysinfo(ask).on_time, 90);
      ask({ system: { set_relay_state: { state: 0 } } });
      assert.equal(sysinfo(ask).on_time, 0);
    });

    it('rejects a bad relay state with invalid argument', () => {
      const { ask } = make('HS100');
      assert.deepEqual(ask({ system: { set_relay_state: { state: 7 } } }).system.set_relay_state, { err_code: -3, err_msg: 'invalid argument' });
      assert.deepEqual(ask({ system: { set_relay_state: {} } }).system.set_relay_state, { err_code: -3, err_msg: 'invalid argument' });
    });

    it('sets LED, alias, location, MAC, device id and hardware id', () => {
      const { ask } = make('HS105');
      ask({ system: { set_led_off: { off: 1 }, set_dev_alias: { alias: 'Lamp' } } });
      ask({ system: { set_dev_location: { latitude: 50.9412784, longitude: 6.9582814 } } });
      ask({ system: { set_mac_addr: { mac: '50-C7-BF-01-02-03' } } });
      ask({ system: { set_device_id: { deviceId: '0123456789ABCDEF0123456789ABCDEF01234567' }, set_hw_id: { hwId: '0123456789ABCDEF0123456789ABCDEF' } } });
      const info = sysinfo(ask);
      assert.equal(info.led_off, 1);
      assert.equal(info.alias, 'Lamp');
      assert.equal(info.latitude_i, 509413);
      assert.equal(info.mac, '50:C7:BF:01:02:03');
      assert.equal(info.deviceId, '0123456789ABCDEF0123456789ABCDEF01234567');
      assert.equal(info.hwId, '0123456789ABCDEF0123456789ABCDEF');
    });

    it('answers every command of the reference list without "not supported"', () => {
      const { ask } = make('HS110');
      const commands = [
        { system: { get_sysinfo: null } }, { system: { reboot: { delay: 1 } } }, { system: { test_check_uboot: null } },
        { system: { get_dev_icon: null } }, { system: { set_dev_icon: { icon: 'xxxx', hash: 'ABCD' } } },
        { system: { set_test_mode: { enable: 1 } } }, { system: { download_firmware: { url: 'http://example.invalid/fw' } } },
        { system: { get_download_state: {} } }, { system: { flash_firmware: {} } }, { system: { check_new_config: null } },
        { netif: { get_scaninfo: { refresh: 1 } } }, { netif: { set_stainfo: { ssid: 'WiFi', password: 'secret', key_type: 3 } } },
        { cnCloud: { get_info: null } }, { cnCloud: { get_intl_fw_list: {} } }, { cnCloud: { set_server_url: { server: 'devs.tplinkcloud.com' } } },
        { cnCloud: { bind: { username: 'a@b.c', password: 'x' } } }, { cnCloud: { unbind: null } },
        { time: { get_time: null } }, { time: { get_timezone: null } },
        { emeter: { get_realtime: {} } }, { emeter: { get_vgain_igain: {} } }, { emeter: { set_vgain_igain: { vgain: 13462, igain: 16835 } } },
        { emeter: { start_calibration: { vtarget: 13462, itarget: 16835 } } }, { emeter: { get_daystat: { month: 1, year: 2016 } } },
        { emeter: { get_monthstat: { year: 2016 } } }, { emeter: { erase_emeter_stat: null } },
        { schedule: { get_next_action: null } }, { schedule: { get_rules: null } }, { schedule: { delete_all_rules: null, erase_runtime_stat: null } },
        { count_down: { get_rules: null } }, { count_down: { delete_all_rules: null } }, { anti_theft: { get_rules: null } },
        { anti_theft: { delete_all_rules: null } }, { system: { reset: { delay: 1 } } },
      ];
      for (const command of commands) {
        const reply = ask(command);
        for (const [mod, methods] of Object.entries(reply)) {
          for (const [method, result] of Object.entries(methods)) assert.equal(result.err_code, 0, `${mod}.${method}: ${JSON.stringify(result)}`);
        }
      }
    });
  });

  describe('errors', () => {
    it('answers unknown modules with -1 and unknown methods with -2, per module in a combined request', () => {
      const { ask } = make('HS100');
      const reply = ask({ foo: { x: {} }, system: { bar: {}, get_sysinfo: {} }, emeter: { get_realtime: {} } });
      assert.deepEqual(reply.foo, { err_code: -1, err_msg: 'module not support' });
      assert.deepEqual(reply.system.bar, { err_code: -2, err_msg: 'member not support' });
      assert.equal(reply.system.get_sysinfo.err_code, 0);
      // HS100 has no energy meter.
      assert.deepEqual(reply.emeter, { err_code: -1, err_msg: 'module not support' });
    });

    it('bulbs use their firmware\'s -2001 / -2000', () => {
      const { ask } = make('LB130');
      const reply = ask({ emeter: { get_realtime: {} }, 'smartlife.iot.common.emeter': { nope: {} } });
      assert.deepEqual(reply.emeter, { err_code: -2001, err_msg: 'Module not support' });
      assert.deepEqual(reply['smartlife.iot.common.emeter'].nope, { err_code: -2000, err_msg: 'Method not support' });
    });

    it('a device without outlets answers `context` as an unknown module and still runs the rest', () => {
      const { ask } = make('HS100');
      const reply = ask({ context: { child_ids: ['x'] }, system: { get_sysinfo: {} } });
      assert.deepEqual(reply.context, { err_code: -1, err_msg: 'module not support' });
      assert.equal(reply.system.get_sysinfo.err_code, 0);
    });

    it('survives hostile keys', () => {
      const { device } = make('HS100');
      const reply = JSON.parse(device.handleJson('{"__proto__":{"x":1},"system":{"__proto__":{},"toString":{}}}')) as Reply;
      const protoKey: string = '__proto__';
      const methodKey: string = 'toString';
      assert.ok(Object.prototype.hasOwnProperty.call(reply, protoKey), 'answered as a module, prototype untouched');
      assert.equal(reply.system[methodKey].err_code, -2);
      assert.throws(() => device.handleJson('[1]'), SyntaxError);
      assert.throws(() => device.handleJson('{'), SyntaxError);
    });
  });

  describe('HS300 children', () => {
    it('applies context.child_ids (full and short ids) to those outlets only', () => {
      const { ask, device } = make('HS300', fakeClock(), { on: false });
      const id = device.deviceId;
      ask({ context: { child_ids: [`${id}01`, '03'] }, system: { set_relay_state: { state: 1 }, set_dev_alias: { alias: 'TV' } } });
      const children = sysinfo(ask).children as Array<Record<string, unknown>>;
      assert.deepEqual(children.map((c) => c.state), [0, 1, 0, 1, 0, 0]);
      assert.deepEqual(children.map((c) => c.alias === 'TV'), [false, true, false, true, false, false]);
      assert.notEqual(sysinfo(ask).alias, 'TV');
    });

    it('switches every outlet without a context, and answers -14 for an unknown child', () => {
      const { ask } = make('HS300', fakeClock(), { on: false });
      ask({ system: { set_relay_state: { state: 1 } } });
      assert.ok((sysinfo(ask).children as Array<{ state: number }>).every((c) => c.state === 1));
      const reply = ask({ context: { child_ids: ['NOPE'] }, system: { set_relay_state: { state: 0 }, get_sysinfo: {} } });
      assert.deepEqual(reply.system.set_relay_state, { err_code: -14, err_msg: 'entry not exist' });
      assert.equal(reply.system.get_sysinfo.err_code, 0);
      const bad = ask({ context: { child_ids: 'x' }, emeter: { get_realtime: {} } });
      assert.deepEqual(bad.emeter.get_realtime, { err_code: -3, err_msg: 'invalid argument' });
    });

    it('gives each child its own meter; off children read zero; the strip sums them', () => {
      const { ask, device, clock } = make('HS300', fakeClock(), { on: true });
      clock.advance(HOUR);
      const read = (child: string): Record<string, unknown> => ask({ context: { child_ids: [child] }, emeter: { get_realtime: {} } }).emeter.get_realtime;
      const on = read(`${device.deviceId}00`);
      const off = read(`${device.deviceId}01`);
      assert.ok((on.power_mw as number) > 1000, JSON.stringify(on));
      assert.equal(off.power_mw, 0);
      assert.equal(off.current_ma, 0);
      assert.ok((on.total_wh as number) > 0);
      const all = ask({ emeter: { get_realtime: {} } }).emeter.get_realtime;
      const sum = [0, 1, 2, 3, 4, 5].reduce((acc, i) => acc + (read(`0${i}`).power_mw as number), 0);
      assert.ok(Math.abs((all.power_mw as number) - sum) <= 6);
    });
  });

  describe('energy meter', () => {
    it('HS110 hw1 reports W/V/A/kWh; hw2 and KP115 mW/mV/mA/Wh', () => {
      const v1 = make('HS110').ask({ emeter: { get_realtime: {} } }).emeter.get_realtime;
      assert.deepEqual(Object.keys(v1).sort(), ['current', 'err_code', 'power', 'total', 'voltage']);
      assert.ok((v1.voltage as number) > 220 && (v1.voltage as number) < 240);
      for (const model of ['HS110v2', 'KP115']) {
        const v2 = make(model).ask({ emeter: { get_realtime: {} } }).emeter.get_realtime;
        assert.deepEqual(Object.keys(v2).sort(), ['current_ma', 'err_code', 'power_mw', 'total_wh', 'voltage_mv']);
        assert.ok(Number.isInteger(v2.power_mw));
      }
    });

    it('power follows the relay; it moves over seconds; current matches power/voltage', () => {
      const { ask, clock } = make('HS110v2');
      const samples: number[] = [];
      for (let i = 0; i < 10; i++) {
        samples.push(ask({ emeter: { get_realtime: {} } }).emeter.get_realtime.power_mw as number);
        clock.advance(2000);
      }
      assert.ok(new Set(samples).size > 5, `power should vary: ${samples.join(',')}`);
      const r = ask({ emeter: { get_realtime: {} } }).emeter.get_realtime as Record<string, number>;
      const apparent = (r.voltage_mv / 1000) * (r.current_ma / 1000);
      assert.ok(apparent >= r.power_mw / 1000 && apparent < (r.power_mw / 1000) * 1.2);
      ask({ system: { set_relay_state: { state: 0 } } });
      const off = ask({ emeter: { get_realtime: {} } }).emeter.get_realtime;
      assert.equal(off.power_mw, 0);
      assert.ok((off.voltage_mv as number) > 200_000);
    });

    it('accumulates totals only while on, and splits them into days and months', () => {
      const clock = fakeClock(Date.UTC(2024, 0, 30, 22, 0, 0));
      const { ask } = make('HS110v2', clock);
      clock.advance(4 * DAY); // Jan 30 22:00 -> Feb 3 22:00
      ask({ system: { set_relay_state: { state: 0 } } });
      const total = ask({ emeter: { get_realtime: {} } }).emeter.get_realtime.total_wh as number;
      clock.advance(2 * DAY);
      assert.equal(ask({ emeter: { get_realtime: {} } }).emeter.get_realtime.total_wh, total, 'no energy while off');
      const jan = ask({ emeter: { get_daystat: { year: 2024, month: 1 } } }).emeter.get_daystat.day_list as Array<Record<string, number>>;
      const feb = ask({ emeter: { get_daystat: { year: 2024, month: 2 } } }).emeter.get_daystat.day_list as Array<Record<string, number>>;
      assert.deepEqual(jan.map((d) => d.day), [30, 31]);
      assert.deepEqual(feb.map((d) => d.day), [1, 2, 3]);
      const fullDay = jan[1].energy_wh;
      // 24 h at roughly the rated load (57-133 W) ; a 2 h evening is a twelfth of that.
      assert.ok(fullDay > 24 * 50 && fullDay < 24 * 140, `full day ${fullDay} Wh`);
      assert.ok(Math.abs(jan[0].energy_wh - fullDay / 12) < fullDay / 12 * 0.3);
      const months = ask({ emeter: { get_monthstat: { year: 2024 } } }).emeter.get_monthstat.month_list as Array<Record<string, number>>;
      assert.deepEqual(months.map((m) => m.month), [1, 2]);
      const sumDays = [...jan, ...feb].reduce((a, d) => a + d.energy_wh, 0);
      assert.ok(Math.abs(sumDays - total) <= 5, `${sumDays} vs ${total}`);
      ask({ emeter: { erase_emeter_stat: null } });
      assert.equal(ask({ emeter: { get_realtime: {} } }).emeter.get_realtime.total_wh, 0);
      assert.deepEqual(ask({ emeter: { get_monthstat: { year: 2024 } } }).emeter.get_monthstat.month_list, []);
    });

    it('hw1 reports day energy in kWh as `energy`', () => {
      const { ask, clock } = make('HS110');
      clock.advance(DAY);
      const d = new Date(clock.now());
      const list = ask({ emeter: { get_daystat: { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1 } } }).emeter.get_daystat.day_list as Array<Record<string, number>>;
      assert.ok(list.length >= 1 && 'energy' in list[0] && !('energy_wh' in list[0]));
      assert.ok(list[0].energy < 5, 'kWh, not Wh');
    });

    it('fast-forwarding a year stays cheap', () => {
      const { ask, clock } = make('KP115');
      const started = Date.now();
      clock.advance(365 * DAY);
      const months = ask({ emeter: { get_monthstat: { year: 2024 } } }).emeter.get_monthstat.month_list as unknown[];
      assert.ok(months.length >= 11);
      assert.ok(Date.now() - started < 500);
    });

    it('LB130 draws power in proportion to brightness, zero when off', () => {
      const { ask } = make('LB130');
      const power = (): number => ask({ 'smartlife.iot.common.emeter': { get_realtime: {} } })['smartlife.iot.common.emeter'].get_realtime.power_mw as number;
      const full = power();
      ask({ 'smartlife.iot.smartbulb.lightingservice': { transition_light_state: { brightness: 50 } } });
      assert.ok(Math.abs(power() - full / 2) < full * 0.1);
      const reply = ask({ 'smartlife.iot.smartbulb.lightingservice': { transition_light_state: { on_off: 0 } } });
      assert.deepEqual(reply['smartlife.iot.smartbulb.lightingservice'].transition_light_state.on_off, 0);
      assert.equal(power(), 0);
      const info = sysinfo(ask).light_state as Record<string, unknown>;
      assert.equal(info.on_off, 0);
      assert.equal((info.dft_on_state as Record<string, unknown>).brightness, 50);
    });
  });

  describe('time', () => {
    it('reports local time and keeps the offset set_timezone gives', () => {
      const clock = fakeClock(Date.UTC(2024, 5, 1, 10, 0, 0));
      const { ask } = make('HS100', clock);
      assert.deepEqual(ask({ time: { get_time: null } }).time.get_time, { year: 2024, month: 6, mday: 1, wday: 6, hour: 10, min: 0, sec: 0, err_code: 0 });
      ask({ time: { set_timezone: { year: 2024, month: 6, mday: 1, hour: 12, min: 0, sec: 0, index: 42 } } });
      clock.advance(61_000);
      const t = ask({ time: { get_time: null } }).time.get_time;
      assert.equal(t.hour, 12);
      assert.equal(t.min, 1);
      assert.equal(ask({ time: { get_timezone: null } }).time.get_timezone.index, 42);
      assert.equal(ask({ time: { set_timezone: { index: 400 } } }).time.set_timezone.err_code, -3);
    });
  });

  describe('rules', () => {
    const rule = { stime_opt: 0, wday: [1, 0, 0, 1, 1, 0, 0], smin: 1014, enable: 1, repeat: 1, etime_opt: -1, name: 'lights on', eact: -1, month: 0, sact: 1, year: 0, longitude: 0, day: 0, force: 0, latitude: 0, emin: 0 };

    it('schedule: add, get, edit, delete, next action', () => {
      // Monday 2024-01-15 12:00 local; the rule is Sun/Wed/Thu 16:54.
      const { ask } = make('HS100', fakeClock(Date.UTC(2024, 0, 15, 12, 0, 0)));
      const added = ask({ schedule: { add_rule: rule, set_overall_enable: { enable: 1 } } }).schedule;
      assert.equal(added.set_overall_enable.err_code, 0);
      const id = added.add_rule.id as string;
      assert.match(id, /^[0-9A-F]{32}$/);
      const rules = ask({ schedule: { get_rules: null } }).schedule.get_rules;
      assert.equal(rules.enable, 1);
      assert.deepEqual(rules.rule_list, [{ ...rule, id }]);
      assert.deepEqual(ask({ schedule: { get_next_action: null } }).schedule.get_next_action, { type: 1, schd_sec: 1014 * 60, action: 1, id, err_code: 0 });
      assert.equal(sysinfo(ask).active_mode, 'schedule');
      ask({ schedule: { edit_rule: { ...rule, id, name: 'renamed' } } });
      assert.equal((ask({ schedule: { get_rules: null } }).schedule.get_rules.rule_list as Array<{ name: string }>)[0].name, 'renamed');
      assert.deepEqual(ask({ schedule: { edit_rule: { ...rule, id: 'F00' } } }).schedule.edit_rule, { err_code: -14, err_msg: 'entry not exist' });
      assert.equal(ask({ schedule: { delete_rule: { id } } }).schedule.delete_rule.err_code, 0);
      assert.deepEqual(ask({ schedule: { get_rules: null } }).schedule.get_rules.rule_list, []);
      assert.equal(ask({ schedule: { get_next_action: null } }).schedule.get_next_action.type, -1);
      assert.equal(ask({ schedule: { add_rule: { name: 'no time' } } }).schedule.add_rule.err_code, -3);
    });

    it('count_down: one rule, counts down, fires once and switches the relay', () => {
      const { ask, clock } = make('HS100', fakeClock(), { on: false });
      const id = ask({ count_down: { add_rule: { enable: 1, delay: 1800, act: 1, name: 'turn on' } } }).count_down.add_rule.id as string;
      assert.equal(ask({ count_down: { add_rule: { enable: 1, delay: 5, act: 0, name: 'second' } } }).count_down.add_rule.err_code, -10);
      clock.advance(600_000);
      const list = ask({ count_down: { get_rules: null } }).count_down.get_rules.rule_list as Array<Record<string, unknown>>;
      assert.deepEqual(list, [{ enable: 1, delay: 1800, act: 1, name: 'turn on', id, remain: 1200 }]);
      assert.equal(sysinfo(ask).active_mode, 'count_down');
      clock.advance(1_200_000 + 30_000);
      const info = sysinfo(ask);
      assert.equal(info.relay_state, 1);
      assert.equal(info.on_time, 30, 'on since the timer ran out, not since the request');
      ask({ count_down: { edit_rule: { enable: 1, id, delay: 10, act: 0, name: 'off' } } });
      clock.advance(11_000);
      assert.equal(sysinfo(ask).relay_state, 0);
      ask({ count_down: { delete_all_rules: null } });
      assert.deepEqual(ask({ count_down: { get_rules: null } }).count_down.get_rules.rule_list, []);
    });

    it('anti_theft: add with a bare set_overall_enable, edit, delete', () => {
      const { ask } = make('HS110');
      const away = { stime_opt: 0, wday: [0, 0, 0, 1, 0, 1, 0], smin: 987, enable: 1, frequency: 5, repeat: 1, etime_opt: 0, duration: 2, name: 'test', lastfor: 1, month: 0, year: 0, longitude: 0, day: 0, latitude: 0, force: 0, emin: 1047 };
      const reply = ask({ anti_theft: { add_rule: away, set_overall_enable: 1 } }).anti_theft;
      assert.equal(reply.set_overall_enable.err_code, 0);
      const id = reply.add_rule.id as string;
      ask({ anti_theft: { edit_rule: { ...away, id, emin: 1100 }, set_overall_enable: 1 } });
      const rules = ask({ anti_theft: { get_rules: null } }).anti_theft.get_rules;
      assert.equal((rules.rule_list as Array<{ emin: number }>)[0].emin, 1100);
      assert.equal(ask({ anti_theft: { delete_rule: { id } } }).anti_theft.delete_rule.err_code, 0);
      assert.equal(ask({ anti_theft: { delete_rule: { id } } }).anti_theft.delete_rule.err_code, -14);
    });

    it('HS300 keeps rules per child', () => {
      const { ask, device } = make('HS300');
      ask({ context: { child_ids: [`${device.deviceId}02`] }, schedule: { add_rule: rule } });
      const of = (child: string): unknown[] => ask({ context: { child_ids: [child] }, schedule: { get_rules: {} } }).schedule.get_rules.rule_list as unknown[];
      assert.equal(of('02').length, 1);
      assert.equal(of('03').length, 0);
    });
  });

  describe('dimmer and reset', () => {
    it('HS220 sets brightness and dimmer parameters', () => {
      const { ask } = make('HS220');
      ask({ 'smartlife.iot.dimmer': { set_brightness: { brightness: 40 }, set_fade_on_time: { fadeTime: 500 } } });
      assert.equal(sysinfo(ask).brightness, 40);
      assert.equal(ask({ 'smartlife.iot.dimmer': { get_dimmer_parameters: {} } })['smartlife.iot.dimmer'].get_dimmer_parameters.fadeOnTime, 500);
      assert.equal(ask({ 'smartlife.iot.dimmer': { set_brightness: { brightness: 101 } } })['smartlife.iot.dimmer'].set_brightness.err_code, -3);
    });

    it('reset restores names and clears rules, and asks the server to restart', () => {
      const { ask, device } = make('HS110', fakeClock(), { alias: 'Original' });
      const restarts: number[] = [];
      device.onRestart = (delay) => restarts.push(delay);
      ask({ system: { set_dev_alias: { alias: 'Changed' } }, count_down: { add_rule: { enable: 1, delay: 60, act: 0 } } });
      ask({ system: { reset: { delay: 2 } } });
      assert.equal(sysinfo(ask).alias, 'Original');
      assert.deepEqual(ask({ count_down: { get_rules: null } }).count_down.get_rules.rule_list, []);
      assert.deepEqual(restarts, [2]);
    });
  });
});
