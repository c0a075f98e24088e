/**
 * The device layer's features against simulated devices: light and dimmer
 * round trips (brightness, colour temperature, hue and saturation,
 * transitions) and the checks made before sending; energy (a whole strip
 * sums its outlets); the three rule tables with each kind's module names;
 * time, LED, alias, cloud, Wi-Fi; and the raw channel.
 */
import { strict as assert } from 'assert';
import { connect, type Device } from '../../lib/device';
import { startDevice, type RunningDevice } from '../../lib/simulator';
import type { TrafficEvent } from '../../lib/traffic';

describe('device layer features', function () {
  const opened: Array<{ sim: RunningDevice; device?: Device }> = [];
  afterEach(async function () {
    for (const { sim, device } of opened.splice(0)) {
      await device?.close();
      await sim.close();
    }
  });

  async function open(model: string, on = true): Promise<{ sim: RunningDevice; device: Device; sent: () => string[]; replies: () => string[] }> {
    const sim = await startDevice({ model, seed: `features-${model}`, on, historyDays: 3 });
    const entry: { sim: RunningDevice; device?: Device } = { sim };
    opened.push(entry);
    const traffic: TrafficEvent[] = [];
    const device = await connect({ host: sim.host, port: sim.port, onTraffic: (e) => traffic.push(e) });
    entry.device = device;
    const texts = (direction: TrafficEvent['direction']): string[] => traffic.filter((e) => e.direction === direction).map((e) => e.text);
    return { sim, device, sent: () => texts('request'), replies: () => texts('reply') };
  }

  describe('light', function () {
    it('brightness, colour temperature and colour round trip on a colour bulb', async function () {
      const { sim, device } = await open('LB130', false);
      const light = device.light;
      assert.ok(light);
      assert.deepEqual(light.capabilities, { dimmable: true, color: true, colorTempRange: [2500, 9000] });
      const set = await light.set({ brightness: 40, colorTemp: 4000 });
      assert.deepEqual(set, { on: true, brightness: 40, colorTemp: 4000, hue: 0, saturation: 0 });
      assert.deepEqual((await device.refresh()).light, set);
      const colour = await light.set({ hue: 240, saturation: 80, brightness: 70, transition: 500 });
      assert.deepEqual(colour, { on: true, brightness: 70, colorTemp: 0, hue: 240, saturation: 80 });
      assert.deepEqual((await device.refresh()).light, colour);
      assert.equal(sim.device.light?.hue, 240);
      assert.equal(device.state.brightness, 70);
      const off = await light.set({ on: false });
      assert.equal(off.on, false);
      assert.equal(off.hue, 240, 'the colour it comes back with');
      assert.equal(device.state.on, false);
    });

    it('values a light cannot take are refused before anything is sent', async function () {
      const { device, sent } = await open('LB100');
      const before = sent().length;
      await assert.rejects(device.light?.set({ hue: 100 }) ?? Promise.resolve(), { name: 'DeviceInputError', reason: 'unsupported' });
      await assert.rejects(device.light?.set({ colorTemp: 3000 }) ?? Promise.resolve(), /adjustable white/);
      await assert.rejects(device.light?.set({ brightness: 101 }) ?? Promise.resolve(), /brightness must be a whole number from 0 to 100, got 101/);
      await assert.rejects(device.light?.set({ brightness: 2.5 }) ?? Promise.resolve(), { reason: 'out-of-range' });
      assert.equal(sent().length, before);
      // The white bulb answers with a colour temperature and a hue too: they are not its fields.
      assert.deepEqual(await device.light?.set({ brightness: 40 }), { on: true, brightness: 40 });
      assert.deepEqual(device.state.light, { on: true, brightness: 40 });
      const kl125 = await open('KL125');
      await assert.rejects(kl125.device.light?.set({ colorTemp: 9000 }) ?? Promise.resolve(), /colour temperature must be a whole number from 2500 to 6500/);
      assert.equal((await kl125.device.light?.set({ colorTemp: 6500 }))?.colorTemp, 6500);
    });

    it('a light strip takes brightness and colour through smartlife.iot.lightStrip', async function () {
      const { sim, device, sent } = await open('KL430');
      const after = await device.light?.set({ brightness: 25, hue: 120, saturation: 100 });
      assert.equal(after?.brightness, 25);
      assert.equal(sim.device.light?.hue, 120);
      assert.match(sent().pop() ?? '', /^\{"smartlife\.iot\.lightStrip":\{"set_light_state":\{"on_off":1,"brightness":25,"hue":120,"saturation":100,"color_temp":0,"ignore_default":1\}\}\}$/);
      assert.deepEqual((await device.refresh()).light, after);
    });

    it('switching a light with a transition fades; a plug refuses a transition', async function () {
      const { sim, device, sent } = await open('KL130');
      await device.setPower(false, { transition: 1500 });
      assert.equal(sim.device.light?.on_off, 0);
      assert.match(sent().pop() ?? '', /"transition_period":1500/);
      const plug = await open('HS100');
      await assert.rejects(plug.device.setPower(true, { transition: 100 }), { reason: 'unsupported' });
    });
  });

  describe('dimmer', function () {
    it('sets the level and switches on; 0 switches off; fades with a transition', async function () {
      const { sim, device } = await open('HS220', false);
      const dimmer = device.dimmer;
      assert.ok(dimmer);
      assert.equal(device.light, undefined);
      const state = await dimmer.setBrightness(35);
      assert.equal(state.brightness, 35);
      assert.equal(state.on, true);
      assert.equal(sim.device.brightness, 35);
      assert.equal(sim.device.main.isOn, true);
      assert.equal((await device.refresh()).brightness, 35);
      await dimmer.setBrightness(0);
      assert.equal(sim.device.main.isOn, false);
      assert.equal(sim.device.brightness, 35, 'off keeps the level');
      await dimmer.setBrightness(80, { transition: 2000 });
      assert.equal(sim.device.brightness, 80);
      assert.equal(sim.device.main.isOn, true);
      await device.setPower(false, { transition: 500 });
      assert.equal(sim.device.main.isOn, false);
      await assert.rejects(dimmer.setBrightness(-1), { reason: 'out-of-range' });
    });

    it('switches and wall switches have no brightness', async function () {
      const { device } = await open('HS200');
      assert.equal(device.dimmer, undefined);
      assert.equal(device.light, undefined);
    });
  });

  describe('energy', function () {
    it('a whole strip reads as the sum of its outlets, day stats too', async function () {
      const { device } = await open('HS300');
      const whole = await device.energy?.read();
      assert.ok(whole?.outlets);
      assert.equal(whole.outlets.length, 6);
      const sum = whole.outlets.reduce((n, r) => n + r.power_mw, 0);
      assert.ok(Math.abs(whole.power_mw - sum) < 1e-6);
      assert.ok(whole.power > 0);
      const one = await device.energy?.read({ outlet: 0 });
      assert.ok(one && one.power > 0 && one.outlets === undefined);
      const now = new Date();
      const days = await device.energy?.dayStats(now.getFullYear(), now.getMonth() + 1);
      const first = await device.energy?.dayStats(now.getFullYear(), now.getMonth() + 1, { outlet: 0 });
      assert.ok(days && first && days.length >= 1);
      const today = (list: typeof days): number => list?.find((d) => d.day === now.getDate())?.energy_wh ?? 0;
      assert.ok(today(days) >= today(first));
    });

    it('reads the meter in both unit forms whichever one the firmware sends, and a plug without a meter has no energy', async function () {
      // HS110 hardware 1 sends W, V, A and kWh; hardware 2 mW, mV, mA and Wh; newer bulbs mW and Wh only.
      const meters: Array<[model: string, module: string, sends: 'base' | 'milli']> = [
        ['HS110', 'emeter', 'base'], ['HS110v2', 'emeter', 'milli'], ['KL125', 'smartlife.iot.common.emeter', 'milli'],
      ];
      const pairs = [['power', 'power_mw'], ['voltage', 'voltage_mv'], ['current', 'current_ma'], ['total', 'total_wh']] as const;
      const near = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
      for (const [model, module, sends] of meters) {
        const { device, replies } = await open(model);
        const reading = await device.energy?.read();
        assert.ok(reading, model);
        const wire = (JSON.parse(replies().pop() ?? '{}') as Record<string, { get_realtime: Record<string, number> }>)[module].get_realtime;
        assert.ok(reading.power > 0 && reading.total >= 0, model);
        for (const [base, milli] of pairs) {
          const [given, other] = sends === 'base' ? [base, milli] : [milli, base];
          assert.equal(wire[other], undefined, `${model} sends ${given}, not ${other}`);
          if (wire[given] === undefined) {
            assert.deepEqual([reading[base], reading[milli]], [0, 0], `${model} has no ${base}`);
            continue;
          }
          assert.equal(reading[given], wire[given], `${model} ${given}`);
          const expected = sends === 'base' ? wire[given] * 1000 : wire[given] / 1000;
          assert.ok(near(reading[other], expected), `${model} ${other}: ${reading[other]} for ${given} ${wire[given]}`);
        }
      }
      const months = await (await open('HS110v2')).device.energy?.monthStats(new Date().getFullYear());
      assert.ok(months && months.length > 0 && months.every((m) => near(m.energy, m.energy_wh / 1000)));
      assert.equal((await open('HS100')).device.energy, undefined);
    });
  });

  describe('rules, time, LED, alias, cloud, Wi-Fi', function () {
    it('one rule feature, three tables: schedule, countdown and anti-theft on a plug', async function () {
      const { device } = await open('HS110');
      const id = await device.schedule?.add({ smin: 480, sact: 1, name: 'morning' });
      assert.equal(typeof id, 'string');
      const rules = await device.schedule?.list();
      assert.deepEqual(rules?.rule_list.map((r) => r.id), [id]);
      await device.schedule?.delete(id as string);
      assert.deepEqual((await device.schedule?.list())?.rule_list, []);
      const countdown = await device.countdown?.replace({ delay: 60, act: 1 });
      await device.countdown?.replace({ delay: 30, act: 0 });
      const left = await device.countdown?.list();
      assert.equal(left?.rule_list.length, 1);
      assert.notEqual(left?.rule_list[0].id, countdown);
      assert.equal(left?.rule_list[0].delay, 30);
      assert.ok(Array.isArray((await device.antiTheft?.list())?.rule_list));
      assert.ok(await device.schedule?.nextAction());
    });

    it('a bulb speaks the smartlife.iot.common modules and has no countdown and no LED', async function () {
      const { sim, device, sent } = await open('KL130');
      assert.equal(device.countdown, undefined);
      assert.equal(device.led, undefined);
      const id = await device.schedule?.add({ smin: 600, sact: 0 });
      assert.equal((await device.schedule?.list())?.rule_list[0].id, id);
      await device.schedule?.clear();
      assert.ok(await device.antiTheft?.list());
      assert.equal(typeof (await device.time?.get())?.year, 'number');
      await device.alias?.set('Hall');
      assert.equal(sim.device.alias, 'Hall');
      assert.equal(device.state.alias, 'Hall');
      assert.ok(await device.cloud?.info());
      assert.ok(Array.isArray(await device.wifi?.scan()));
      const modules = new Set(sent().map((text) => Object.keys(JSON.parse(text) as object)[0]));
      assert.deepEqual([...modules].sort(), [
        'smartlife.iot.common.anti_theft', 'smartlife.iot.common.cloud', 'smartlife.iot.common.schedule',
        'smartlife.iot.common.softaponboarding', 'smartlife.iot.common.system', 'smartlife.iot.common.timesetting', 'system',
      ]);
    });

    it('LED and outlet aliases on a strip', async function () {
      const { sim, device } = await open('HS300');
      await device.led?.set(false);
      assert.equal(sim.device.ledOff, true);
      await device.alias?.set('Kettle', { outlet: 2 });
      assert.equal(sim.device.children[2].alias, 'Kettle');
      assert.equal(device.outlet('Kettle').index, 2);
      assert.equal((await device.refresh()).outlets[2].alias, 'Kettle');
      const rules = await device.schedule?.list({ outlet: 'Kettle' });
      assert.ok(Array.isArray(rules?.rule_list));
    });
  });

  describe('raw channel', function () {
    it('sends a request as written, to an outlet when asked, and returns the reply with its err_codes', async function () {
      const { sim, device, sent } = await open('HS300');
      const reply = await device.request({ system: { set_relay_state: { state: 0 } } }, { outlet: 0 });
      assert.deepEqual(reply, { system: { set_relay_state: { err_code: 0 } } });
      assert.equal(sim.device.children[0].isOn, false);
      assert.equal(sent().pop(), `{"context":{"child_ids":["${sim.deviceId}00"]},"system":{"set_relay_state":{"state":0}}}`);
      const refused = await device.request({ nope: { get: {} } });
      assert.equal((refused.nope as { err_code: number }).err_code, -1);
    });
  });
});
